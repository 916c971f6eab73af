package io.datalake.processor;

import java.time.Duration;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * A processor running in this process: started by {@link Processors#backfill} or {@link Processors#run}. Stop it
 * with {@link #stop(Duration)}; closing it stops it with no grace period.
 */
public interface ProcessorRun extends AutoCloseable {
    /**
     * Returns the processor being run.
     *
     * @return the processor
     */
    Processor processor();

    /**
     * Returns the progress so far.
     *
     * @return a snapshot of this run's metrics
     */
    ProcessorMetrics metrics();

    /**
     * Emits a snapshot of the metrics every interval until the run ends, then one last snapshot.
     *
     * @param interval time between snapshots, positive
     * @return the snapshots
     * @throws io.datalake.InvalidArgumentException if the interval is null or not positive
     */
    Flux<ProcessorMetrics> metrics(Duration interval);

    /**
     * Completes with the final metrics when the run ends: a continuous run only when stopped; a backfill when,
     * with nothing in flight, a pass over its input finds nothing left that it could ever take: every input it
     * sees is done or a dead letter. Until then it passes over the input again, at most every
     * {@link ProcessorOptions#pollInterval()}, for inputs that wait for their next attempt after a failure and for
     * inputs another worker holds (that worker may finish them, or die and leave its leases to expire). Fails if
     * the run failed (its input query was refused, the lake was closed).
     *
     * @return the final metrics
     */
    Mono<ProcessorMetrics> completion();

    /**
     * Stops the run gracefully: takes no new input, lets the inputs in flight finish within the grace period, then
     * cancels the rest and releases their leases so other workers take them at once.
     *
     * @param grace how long in-flight inputs may take, zero or positive
     * @return the final metrics, when stopped
     * @throws io.datalake.InvalidArgumentException if the grace period is null or negative
     */
    Mono<ProcessorMetrics> stop(Duration grace);

    /** Stops the run with no grace period and waits for its leases to be released. */
    @Override
    void close();
}
