package io.datalake.io;

/**
 * How far an import is, told to {@link ImportOptions#progress()} after each written batch.
 *
 * @param images images handled so far (added or skipped)
 * @param totalImages the images the import will handle, known after its files were parsed and checked
 * @param annotations annotations handled so far (added or skipped)
 */
public record ImportProgress(long images, long totalImages, long annotations) {
}
