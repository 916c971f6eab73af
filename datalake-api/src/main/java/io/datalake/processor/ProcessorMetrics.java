package io.datalake.processor;

import java.time.Duration;
import java.time.Instant;

/**
 * A snapshot of one run's progress in this process (other workers count their own).
 *
 * @param startedAt when the run started
 * @param seen inputs this run looked at (query rows and feed events), skipped ones included; an input looked at
 *     again by a later pass (a retry, a rescan) counts again
 * @param done inputs this run finished: outputs stored, none returned, or found already done by another attempt
 *     (duplicatesSkipped is part of done)
 * @param duplicatesSkipped attempts whose result was refused because another attempt's result for the same input was
 *     already stored (each is counted once, and the input is done)
 * @param failedAttempts attempts that failed (after in-process retries of transient errors)
 * @param retries transient errors retried within an attempt
 * @param deadLettered inputs this run turned into dead letters
 * @param inFlight inputs leased by this run and not finished yet
 * @param ratePerSecond inputs done per second over the last few seconds
 * @param lag how far behind the newest input this run has seen: now minus the time of the oldest input seen and not
 *     finished yet ({@link Duration#ZERO} when nothing is pending)
 */
public record ProcessorMetrics(Instant startedAt, long seen, long done, long duplicatesSkipped, long failedAttempts,
        long retries, long deadLettered, int inFlight, double ratePerSecond, Duration lag) {
}
