/**
 * Export of dataset versions and query rows to files, through the public {@link io.datalake.Datalake} API only:
 * {@link io.datalake.io.Exporter} with {@link io.datalake.io.ExportOptions}, returning an
 * {@link io.datalake.io.ExportReport}. Every export streams with backpressure (rows in batches, then one batched
 * read of their datums), copies payloads once each under content-addressed names with bounded concurrency, writes
 * a {@code manifest.json} of every file's size and SHA-256, and finishes atomically: it writes into a sibling
 * temporary folder and renames it to the output folder only when everything is written.
 *
 * <p>Every type is non-null by default; nullable values are marked {@code @Nullable}.
 */
@NullMarked
package io.datalake.io;

import org.jspecify.annotations.NullMarked;
