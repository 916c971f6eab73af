package io.datalake.io;

import java.nio.file.Path;

/**
 * The result of a finished export.
 *
 * @param directory the output folder, complete (it exists only once everything in it is written)
 * @param format the format written
 * @param rows the rows written
 * @param payloadFiles the distinct payload files copied
 * @param payloadBytes the bytes of those payload files
 * @param manifestSha256 the lowercase hex SHA-256 of {@code manifest.json}, which lists every other file's size
 *     and SHA-256
 */
public record ExportReport(Path directory, ExportFormat format, long rows, long payloadFiles, long payloadBytes,
        String manifestSha256) {
}
