/**
 * The MongoDB implementation of {@link io.datalake.dataset.Datasets}: a dataset collection, a version collection
 * (the single document whose conditional update publishes), row chunks of at most
 * {@link io.datalake.mongo.internal.dataset.MongoDatasets#CHUNK_ROWS} rows, and tag move history.
 */
@NullMarked
package io.datalake.mongo.internal.dataset;

import org.jspecify.annotations.NullMarked;
