package io.datalake.io;

/** The file formats an {@link Exporter} writes. */
public enum ExportFormat {
    /**
     * One JSON object per line in {@code data.jsonl} (per column: id, data, metadata, added_at, payload path),
     * payload files under {@code payloads/} named by the SHA-256 of their bytes, and {@code manifest.json}.
     */
    JSONL
}
