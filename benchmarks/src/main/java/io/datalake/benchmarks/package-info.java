/**
 * The benchmark harness: every scenario of the performance targets, each measured against the driver's limit
 * and the reference algorithms on the same driver and server. Run {@link io.datalake.benchmarks.Benchmarks};
 * see {@code benchmarks/README.md}. Not a library: only the entry points are public.
 */
@NullMarked
package io.datalake.benchmarks;

import org.jspecify.annotations.NullMarked;
