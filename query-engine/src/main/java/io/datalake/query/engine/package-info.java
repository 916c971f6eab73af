/**
 * The query engine: runs {@link io.datalake.query.Query}s over a MongoDB collection of datums (the Mindtrace
 * layout) with the reactive driver. {@link io.datalake.query.engine.QueryEngine} is the entry point; stores such
 * as the MongoDB {@code Datalake} delegate to it.
 */
@NullMarked
package io.datalake.query.engine;

import org.jspecify.annotations.NullMarked;
