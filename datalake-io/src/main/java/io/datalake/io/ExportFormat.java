package io.datalake.io;

import io.datalake.InvalidArgumentException;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** The file formats an {@link Exporter} writes. Every format also writes {@code manifest.json}. */
public enum ExportFormat {
    /**
     * One JSON object per line in {@code data.jsonl} (per column: id, data, metadata, added_at, payload path),
     * payload files under {@code payloads/} named by the SHA-256 of their bytes.
     */
    JSONL("jsonl"),
    /**
     * Parquet files under {@code data/}: one row per row, per column the id, {@code added_at}, the scalar fields of
     * {@code data} and {@code metadata} as typed columns and the payload's path (or bytes, with
     * {@link PayloadMode#EMBED}).
     */
    PARQUET("parquet"),
    /**
     * The Hugging Face datasets layout: Parquet shards under {@code data/} named by split, an image column in the
     * Hugging Face image encoding, and a {@code README.md} dataset card that {@code datasets.load_dataset(folder)}
     * reads.
     */
    HUGGING_FACE("hf"),
    /** COCO: {@code annotations.json} (images, categories, annotations) and the image files under {@code images/}. */
    COCO("coco");

    private final String cliName;

    ExportFormat(String cliName) {
        this.cliName = cliName;
    }

    /**
     * Returns the short name used on the command line ({@code jsonl}, {@code parquet}, {@code hf}, {@code coco}).
     *
     * @return the short name
     */
    public String cliName() {
        return cliName;
    }

    /**
     * Returns the format with a short name (case-insensitive).
     *
     * @param name {@code jsonl}, {@code parquet}, {@code hf} or {@code coco}
     * @return the format
     * @throws InvalidArgumentException naming the value and the accepted names if none matches
     */
    public static ExportFormat fromCliName(String name) {
        for (ExportFormat f : values()) {
            if (f.cliName.equals(name == null ? null : name.toLowerCase(Locale.ROOT))) {
                return f;
            }
        }
        throw new InvalidArgumentException("unknown export format '" + name + "': expected one of "
                + Arrays.stream(values()).map(ExportFormat::cliName).collect(Collectors.joining(", ")));
    }
}
