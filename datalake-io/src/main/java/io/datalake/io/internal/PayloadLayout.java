package io.datalake.io.internal;

import io.datalake.Datum;
import io.datalake.PayloadInfo;
import java.util.Locale;
import java.util.Map;

/**
 * Where an export copies payloads: a folder of the export, whether file names get an extension from the content
 * type (image tools look at it), and whether the copies are listed in the manifest (a staging folder for payloads
 * embedded into a data file is not: it is deleted before the export is renamed into place).
 *
 * @param folder the folder, relative to the export folder
 * @param extensions whether names end with an extension from the content type ({@code .jpg}, {@code .png}, ...)
 * @param listed whether each copy is listed in the manifest (false for a staging folder)
 */
record PayloadLayout(String folder, boolean extensions, boolean listed) {
    /** Payload files of JSONL and Parquet exports: {@code payloads/<sha256>}, listed. */
    static final PayloadLayout PAYLOADS = new PayloadLayout("payloads", false, true);
    /** Images of a COCO export: {@code images/<sha256>.<ext>}, listed. */
    static final PayloadLayout IMAGES = new PayloadLayout("images", true, true);
    /** Payloads read back into a data file, then deleted: {@code .staging/<sha256>}, not listed. */
    static final PayloadLayout STAGING = new PayloadLayout(".staging", false, false);

    private static final Map<String, String> EXTENSIONS = Map.ofEntries(
            Map.entry("image/jpeg", ".jpg"), Map.entry("image/png", ".png"), Map.entry("image/gif", ".gif"),
            Map.entry("image/bmp", ".bmp"), Map.entry("image/webp", ".webp"), Map.entry("image/tiff", ".tif"),
            Map.entry("application/json", ".json"), Map.entry("text/plain", ".txt"),
            Map.entry("application/pdf", ".pdf"));

    /** The extension of a datum's copy: from its (untrusted) content type, only from a fixed table. */
    String extension(Datum datum) {
        if (!extensions) {
            return "";
        }
        PayloadInfo info = datum.payload();
        String type = info == null ? "" : info.contentType().toLowerCase(Locale.ROOT);
        int semicolon = type.indexOf(';');
        return EXTENSIONS.getOrDefault(semicolon < 0 ? type.trim() : type.substring(0, semicolon).trim(), "");
    }
}
