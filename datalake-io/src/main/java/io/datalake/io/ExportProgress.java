package io.datalake.io;

/**
 * How far an export has come, reported after each batch of rows is written.
 *
 * @param rows rows written so far
 * @param payloadFiles payload files copied so far (a payload shared by several datums counts once)
 * @param payloadBytes bytes of those payload files
 */
public record ExportProgress(long rows, long payloadFiles, long payloadBytes) {
}
