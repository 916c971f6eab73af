/**
 * Processors on MongoDB: leases in {@code <C>.processorLeases}, registrations in {@code <C>.processors}, and the
 * worker that runs a processor exactly once per input (see {@link io.datalake.mongo.internal.processor.ProcessorWorker}).
 */
@NullMarked
package io.datalake.mongo.internal.processor;

import org.jspecify.annotations.NullMarked;
