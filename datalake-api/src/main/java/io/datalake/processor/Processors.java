package io.datalake.processor;

import io.datalake.DatalakeException;
import io.datalake.InvalidArgumentException;
import java.util.List;
import org.bson.types.ObjectId;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Runs {@link Processor}s and reports on them ({@link io.datalake.Datalake#processors()}). Any number of workers in
 * any number of processes may run the same processor version: they share the work through leases in the lake, and
 * each input gets exactly one result.
 */
public interface Processors {
    /**
     * Processes every current input once, then completes ({@link ProcessorRun#completion()}). Inputs added while it
     * runs may or may not be included.
     *
     * @param processor the processor
     * @param options concurrency, leases, retries
     * @return the run, already started
     * @throws InvalidArgumentException if an argument is null or the input's query or filter is refused (before
     *     anything is written)
     */
    ProcessorRun backfill(Processor processor, ProcessorOptions options);

    /**
     * Processes every current input, then follows the change feed and processes new inputs as they arrive, until
     * stopped.
     *
     * @param processor the processor
     * @param options concurrency, leases, retries
     * @return the run, already started
     * @throws InvalidArgumentException if an argument is null or the input's query or filter is refused (before
     *     anything is written)
     */
    ProcessorRun run(Processor processor, ProcessorOptions options);

    /**
     * Lists every processor version the lake knows, with its progress across all workers.
     *
     * @return the processors, by name then version
     */
    Flux<ProcessorStatus> list();

    /**
     * Returns the progress of one processor version.
     *
     * @param name the name
     * @param version the version
     * @return the status, empty if the lake has never seen that processor version
     * @throws InvalidArgumentException if the name or version is invalid
     */
    Mono<ProcessorStatus> status(String name, String version);

    /**
     * Lists the dead letters of a processor version.
     *
     * @param name the name
     * @param version the version
     * @return the dead letters, oldest first
     * @throws InvalidArgumentException if the name or version is invalid
     */
    Flux<DeadLetter> deadLetters(String name, String version);

    /**
     * Puts dead letters back, so the next run (or a running continuous worker, at its next poll) tries them again
     * with a fresh attempt count.
     *
     * @param name the name
     * @param version the version
     * @param inputs the inputs to put back, or null for all of the version's dead letters
     * @return how many dead letters were put back
     * @throws InvalidArgumentException if the name or version is invalid
     * @throws DatalakeException on a server failure
     */
    Mono<Long> retryDeadLetters(String name, String version, @Nullable List<ObjectId> inputs);
}
