package io.datalake.io;

/** How an export writes the payloads of registry datums. */
public enum PayloadMode {
    /**
     * Each distinct payload copied once to a file named by the SHA-256 of its bytes; rows hold its path relative to
     * the export folder. The default.
     */
    FILES,
    /**
     * The bytes inside the data file itself (Parquet and Hugging Face only: a binary column); no payload files.
     * Memory is bounded by the Parquet row group, so use it for payloads of at most a few MiB.
     */
    EMBED
}
