/**
 * Payload garbage collection ({@link io.datalake.mongo.internal.gc.PayloadGc}) and the writer's side of its race
 * with deduplicated uploads ({@link io.datalake.mongo.internal.gc.GcGuard}), which meet in the collection
 * {@code <C>.payloadGc} ({@link io.datalake.mongo.internal.gc.GcRecords}).
 */
@NullMarked
package io.datalake.mongo.internal.gc;

import org.jspecify.annotations.NullMarked;
