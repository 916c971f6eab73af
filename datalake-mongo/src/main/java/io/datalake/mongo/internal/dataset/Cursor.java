package io.datalake.mongo.internal.dataset;

import io.datalake.InvalidArgumentException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/** The opaque page cursor: dataset, pinned version number and next row number, base64url of {@code d|v|r}. */
record Cursor(String dataset, int version, long row) {
    String encode() {
        return Base64.getUrlEncoder().withoutPadding()
                .encodeToString((dataset + "|" + version + "|" + row).getBytes(StandardCharsets.UTF_8));
    }

    static Cursor parse(String text, String dataset) {
        try {
            String[] parts = new String(Base64.getUrlDecoder().decode(text), StandardCharsets.UTF_8).split("\\|", -1);
            if (parts.length == 3 && parts[0].equals(dataset)) {
                Cursor c = new Cursor(parts[0], Integer.parseInt(parts[1]), Long.parseLong(parts[2]));
                if (c.version >= 1 && c.row >= 0) {
                    return c;
                }
            }
        } catch (IllegalArgumentException e) {
            // falls through to the typed error below
        }
        throw new InvalidArgumentException("invalid page cursor '" + text + "' for dataset '" + dataset + "'");
    }
}
