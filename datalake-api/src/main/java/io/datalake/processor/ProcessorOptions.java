package io.datalake.processor;

import io.datalake.InvalidArgumentException;
import java.time.Duration;
import java.util.UUID;

/**
 * Immutable options of one run of a {@link Processor} in this process ({@link Processors#backfill} or
 * {@link Processors#run}). Build with {@link #builder()}; every option has a default. Workers of the same processor
 * may run with different options.
 */
public final class ProcessorOptions {
    /** Inputs processed at once by one worker, when none is set. */
    public static final int DEFAULT_CONCURRENCY = 4;
    /** Inputs leased together, when none is set. */
    public static final int DEFAULT_BATCH_SIZE = 64;
    /**
     * How long a lease lasts without renewal, when none is set. A running worker renews its leases every third of
     * it; a dead worker's inputs are taken over this long after its last renewal. Worker clocks must agree to well
     * within this.
     */
    public static final Duration DEFAULT_LEASE_DURATION = Duration.ofSeconds(60);
    /** Failed attempts after which an input becomes a dead letter, when none is set. */
    public static final int DEFAULT_MAX_ATTEMPTS = 5;
    /** Transient errors retried in process within one attempt, when none is set. */
    public static final int DEFAULT_MAX_RETRIES = 3;
    /** First retry delay, when none is set; doubled each retry, with jitter. */
    public static final Duration DEFAULT_MIN_BACKOFF = Duration.ofMillis(100);
    /** Largest retry delay, when none is set. */
    public static final Duration DEFAULT_MAX_BACKOFF = Duration.ofSeconds(10);
    /** The longest retry delay accepted: one day (longer ones overflowed the run's timers). */
    public static final Duration MAX_BACKOFF = Duration.ofDays(1);
    /** The longest lease accepted: one day (a dead worker's inputs wait that long to be taken over). */
    public static final Duration MAX_LEASE_DURATION = Duration.ofDays(1);
    /**
     * How long one call of the function may take before it counts as a transient failure ({@link
     * io.datalake.DatalakeTimeoutException}, retried like any other), when none is set: a function that never
     * completes would otherwise hold its input, and renew its lease, for ever.
     */
    public static final Duration DEFAULT_ATTEMPT_TIMEOUT = Duration.ofMinutes(10);
    /** Share of each delay that is randomised, when none is set. */
    public static final double DEFAULT_JITTER = 0.5;
    /**
     * How long a backfill waits at most before looking again at inputs that other workers hold or that wait for a
     * retry, and how often a continuous run without a change feed polls its input, when none is set.
     */
    public static final Duration DEFAULT_POLL_INTERVAL = Duration.ofSeconds(1);
    /**
     * How often a continuous run runs its whole input query again, when none is set: that is how it picks up the
     * inputs of a worker that died (once their leases expire), failed inputs due for their next attempt and dead
     * letters put back with {@link Processors#retryDeadLetters}.
     */
    public static final Duration DEFAULT_RESCAN_INTERVAL = Duration.ofSeconds(30);

    private final int concurrency;
    private final int batchSize;
    private final Duration leaseDuration;
    private final int maxAttempts;
    private final Duration attemptTimeout;
    private final int maxRetries;
    private final Duration minBackoff;
    private final Duration maxBackoff;
    private final double jitter;
    private final String workerId;
    private final Duration pollInterval;
    private final Duration rescanInterval;

    private ProcessorOptions(Builder b) {
        this.pollInterval = b.pollInterval;
        this.rescanInterval = b.rescanInterval;
        this.concurrency = b.concurrency;
        this.batchSize = b.batchSize;
        this.leaseDuration = b.leaseDuration;
        this.maxAttempts = b.maxAttempts;
        this.attemptTimeout = b.attemptTimeout;
        this.maxRetries = b.maxRetries;
        this.minBackoff = b.minBackoff;
        this.maxBackoff = b.maxBackoff;
        this.jitter = b.jitter;
        this.workerId = b.workerId != null ? b.workerId : defaultWorkerId();
    }

    private static String defaultWorkerId() {
        return ProcessHandle.current().pid() + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    /**
     * Returns the defaults.
     *
     * @return the default options, with a new worker id on each call
     */
    public static ProcessorOptions defaults() {
        return builder().build();
    }

    /**
     * Returns a builder with every option at its default.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Returns how many inputs this worker processes at once.
     *
     * @return the concurrency, 1 or more
     */
    public int concurrency() {
        return concurrency;
    }

    /**
     * Returns how many inputs are leased together (one query batch, one lease round trip).
     *
     * @return the batch size
     */
    public int batchSize() {
        return batchSize;
    }

    /**
     * Returns how long a lease lasts without renewal.
     *
     * @return the lease duration
     */
    public Duration leaseDuration() {
        return leaseDuration;
    }

    /**
     * Returns after how many failed attempts an input becomes a dead letter.
     *
     * @return the attempt limit, 1 or more
     */
    public int maxAttempts() {
        return maxAttempts;
    }

    /**
     * Returns how long one call of the function may take (its publisher completing) before it fails with a
     * transient {@link io.datalake.DatalakeTimeoutException}.
     *
     * @return the attempt timeout
     */
    public Duration attemptTimeout() {
        return attemptTimeout;
    }

    /**
     * Returns how many times a transient error is retried within one attempt.
     *
     * @return the retry limit, 0 or more
     */
    public int maxRetries() {
        return maxRetries;
    }

    /**
     * Returns the first retry delay.
     *
     * @return the minimum backoff
     */
    public Duration minBackoff() {
        return minBackoff;
    }

    /**
     * Returns the largest retry delay.
     *
     * @return the maximum backoff
     */
    public Duration maxBackoff() {
        return maxBackoff;
    }

    /**
     * Returns the randomised share of each delay.
     *
     * @return between 0 and 1
     */
    public double jitter() {
        return jitter;
    }

    /**
     * Returns the id this worker records as the owner of its leases.
     *
     * @return the worker id; by default the process id and a random suffix
     */
    public String workerId() {
        return workerId;
    }

    /**
     * Returns how long a backfill waits at most before looking again at inputs held by others or waiting for a
     * retry, and how often a continuous run without a change feed polls.
     *
     * @return the poll interval
     */
    public Duration pollInterval() {
        return pollInterval;
    }

    /**
     * Returns how often a continuous run runs its whole input query again.
     *
     * @return the rescan interval
     */
    public Duration rescanInterval() {
        return rescanInterval;
    }

    @Override
    public String toString() {
        return "ProcessorOptions{concurrency=" + concurrency + ", batchSize=" + batchSize + ", leaseDuration="
                + leaseDuration + ", attemptTimeout=" + attemptTimeout + ", maxAttempts=" + maxAttempts + ", maxRetries=" + maxRetries + ", backoff="
                + minBackoff + ".." + maxBackoff + ", jitter=" + jitter + ", workerId=" + workerId
                + ", pollInterval=" + pollInterval + ", rescanInterval=" + rescanInterval + "}";
    }

    /** Builds {@link ProcessorOptions}. Not thread-safe. */
    public static final class Builder {
        private int concurrency = DEFAULT_CONCURRENCY;
        private int batchSize = DEFAULT_BATCH_SIZE;
        private Duration leaseDuration = DEFAULT_LEASE_DURATION;
        private int maxAttempts = DEFAULT_MAX_ATTEMPTS;
        private Duration attemptTimeout = DEFAULT_ATTEMPT_TIMEOUT;
        private int maxRetries = DEFAULT_MAX_RETRIES;
        private Duration minBackoff = DEFAULT_MIN_BACKOFF;
        private Duration maxBackoff = DEFAULT_MAX_BACKOFF;
        private double jitter = DEFAULT_JITTER;
        private @org.jspecify.annotations.Nullable String workerId;
        private Duration pollInterval = DEFAULT_POLL_INTERVAL;
        private Duration rescanInterval = DEFAULT_RESCAN_INTERVAL;

        private Builder() {
        }

        /**
         * Sets how long a backfill waits at most before looking again at inputs held by others or waiting for a
         * retry, and how often a continuous run without a change feed polls.
         *
         * @param pollInterval 10 ms to 1 hour
         * @return this builder
         * @throws InvalidArgumentException if null or out of range
         */
        public Builder pollInterval(Duration pollInterval) {
            this.pollInterval = duration("pollInterval", pollInterval);
            return this;
        }

        /**
         * Sets how often a continuous run runs its whole input query again (expired leases of dead workers,
         * failed inputs due for a retry, dead letters put back).
         *
         * @param rescanInterval 10 ms to 1 hour
         * @return this builder
         * @throws InvalidArgumentException if null or out of range
         */
        public Builder rescanInterval(Duration rescanInterval) {
            this.rescanInterval = duration("rescanInterval", rescanInterval);
            return this;
        }

        private static Duration duration(String what, Duration value) {
            if (value == null || value.compareTo(Duration.ofMillis(10)) < 0
                    || value.compareTo(Duration.ofHours(1)) > 0) {
                throw new InvalidArgumentException("processor " + what + " must be between 10 ms and 1 h, got "
                        + value);
            }
            return value;
        }

        /**
         * Sets how many inputs this worker processes at once.
         *
         * @param concurrency 1 to 1024
         * @return this builder
         * @throws InvalidArgumentException if out of range
         */
        public Builder concurrency(int concurrency) {
            this.concurrency = range("concurrency", concurrency, 1, 1024);
            return this;
        }

        /**
         * Sets how many inputs are leased together.
         *
         * @param batchSize 1 to 10,000
         * @return this builder
         * @throws InvalidArgumentException if out of range
         */
        public Builder batchSize(int batchSize) {
            this.batchSize = range("batchSize", batchSize, 1, 10_000);
            return this;
        }

        /**
         * Sets how long a lease lasts without renewal.
         *
         * @param leaseDuration at least one second, at most {@link #MAX_LEASE_DURATION}
         * @return this builder
         * @throws InvalidArgumentException if null, shorter than a second or longer than a day
         */
        public Builder leaseDuration(Duration leaseDuration) {
            if (leaseDuration == null || leaseDuration.compareTo(Duration.ofSeconds(1)) < 0
                    || leaseDuration.compareTo(MAX_LEASE_DURATION) > 0) {
                throw new InvalidArgumentException("processor leaseDuration must be 1 s to 1 day, got "
                        + leaseDuration);
            }
            this.leaseDuration = leaseDuration;
            return this;
        }

        /**
         * Sets after how many failed attempts an input becomes a dead letter.
         *
         * @param maxAttempts 1 to 1000
         * @return this builder
         * @throws InvalidArgumentException if out of range
         */
        public Builder maxAttempts(int maxAttempts) {
            this.maxAttempts = range("maxAttempts", maxAttempts, 1, 1000);
            return this;
        }

        /**
         * Sets how long one call of the function may take before it counts as a transient failure.
         *
         * @param attemptTimeout 1 ms to 1 day
         * @return this builder
         * @throws InvalidArgumentException if null, not positive or longer than a day
         */
        public Builder attemptTimeout(Duration attemptTimeout) {
            if (attemptTimeout == null || attemptTimeout.compareTo(Duration.ofMillis(1)) < 0
                    || attemptTimeout.compareTo(Duration.ofDays(1)) > 0) {
                throw new InvalidArgumentException("processor attemptTimeout must be 1 ms to 1 day, got "
                        + attemptTimeout);
            }
            this.attemptTimeout = attemptTimeout;
            return this;
        }

        /**
         * Sets how many times a transient error is retried within one attempt.
         *
         * @param maxRetries 0 to 100
         * @return this builder
         * @throws InvalidArgumentException if out of range
         */
        public Builder maxRetries(int maxRetries) {
            this.maxRetries = range("maxRetries", maxRetries, 0, 100);
            return this;
        }

        /**
         * Sets the retry delays: the first one, doubled each retry up to the largest, with jitter.
         *
         * @param min the first delay, zero or positive
         * @param max the largest delay, at least {@code min}, at most {@link #MAX_BACKOFF}
         * @return this builder
         * @throws InvalidArgumentException if null, negative, {@code max < min} or {@code max} longer than a day
         */
        public Builder backoff(Duration min, Duration max) {
            if (min == null || max == null || min.isNegative() || max.compareTo(min) < 0
                    || max.compareTo(MAX_BACKOFF) > 0) {
                throw new InvalidArgumentException("processor backoff must satisfy 0 <= min <= max <= 1 day, got "
                        + min + ".." + max);
            }
            this.minBackoff = min;
            this.maxBackoff = max;
            return this;
        }

        /**
         * Sets the randomised share of each delay.
         *
         * @param jitter 0 (none) to 1
         * @return this builder
         * @throws InvalidArgumentException if out of range
         */
        public Builder jitter(double jitter) {
            if (!(jitter >= 0 && jitter <= 1)) {
                throw new InvalidArgumentException("processor jitter must be between 0 and 1, got " + jitter);
            }
            this.jitter = jitter;
            return this;
        }

        /**
         * Sets the id recorded as the owner of this worker's leases.
         *
         * @param workerId 1 to 100 printable characters
         * @return this builder
         * @throws InvalidArgumentException if null, empty, too long or with control characters
         */
        public Builder workerId(String workerId) {
            if (workerId == null || workerId.isEmpty() || workerId.length() > 100
                    || workerId.chars().anyMatch(Character::isISOControl)) {
                throw new InvalidArgumentException("processor workerId must be 1 to 100 printable characters, got '"
                        + workerId + "'");
            }
            this.workerId = workerId;
            return this;
        }

        private static int range(String what, int value, int min, int max) {
            if (value < min || value > max) {
                throw new InvalidArgumentException("processor " + what + " must be between " + min + " and " + max
                        + ", got " + value);
            }
            return value;
        }

        /**
         * Builds the options.
         *
         * @return the options
         */
        public ProcessorOptions build() {
            return new ProcessorOptions(this);
        }
    }
}
