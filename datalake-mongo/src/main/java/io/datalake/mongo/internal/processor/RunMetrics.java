package io.datalake.mongo.internal.processor;

import io.datalake.processor.ProcessorMetrics;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/** The counters of one run; updated from any thread, read as consistent-enough snapshots. */
final class RunMetrics {
    /** The rate is averaged over this many one-second buckets. */
    static final int RATE_SECONDS = 10;

    private final Clock clock;
    private final Instant startedAt;
    private final AtomicLong seen = new AtomicLong();
    private final AtomicLong done = new AtomicLong();
    private final AtomicLong duplicates = new AtomicLong();
    private final AtomicLong failedAttempts = new AtomicLong();
    private final AtomicLong retries = new AtomicLong();
    private final AtomicLong deadLettered = new AtomicLong();
    /** Inputs done per second, bucket {@code second % RATE_SECONDS}, with the second it counts in {@link #stamps}. */
    private final AtomicLongArray buckets = new AtomicLongArray(RATE_SECONDS);
    private final AtomicLongArray stamps = new AtomicLongArray(RATE_SECONDS);

    RunMetrics(Clock clock) {
        this.clock = clock;
        this.startedAt = clock.instant();
    }

    void seen(int n) {
        seen.addAndGet(n);
    }

    void done() {
        done.incrementAndGet();
        long second = clock.millis() / 1000;
        int slot = (int) Math.floorMod(second, (long) RATE_SECONDS);
        synchronized (buckets) {
            if (stamps.get(slot) != second) {
                stamps.set(slot, second);
                buckets.set(slot, 0);
            }
            buckets.incrementAndGet(slot);
        }
    }

    void duplicate() {
        duplicates.incrementAndGet();
        done();
    }

    void failedAttempt() {
        failedAttempts.incrementAndGet();
    }

    void retry() {
        retries.incrementAndGet();
    }

    void deadLettered() {
        deadLettered.incrementAndGet();
    }

    /**
     * A snapshot.
     *
     * @param inFlight the times (input ids' timestamps) of the inputs held and not finished
     */
    ProcessorMetrics snapshot(Collection<Instant> inFlight) {
        Instant now = clock.instant();
        long second = now.toEpochMilli() / 1000;
        long recent = 0;
        synchronized (buckets) {
            for (int i = 0; i < RATE_SECONDS; i++) {
                long stamp = stamps.get(i);
                // The current second is still filling up: it counts, over the full window before it.
                if (stamp > second - RATE_SECONDS && stamp <= second) {
                    recent += buckets.get(i);
                }
            }
        }
        long window = Math.min(RATE_SECONDS, Math.max(1, Duration.between(startedAt, now).toSeconds() + 1));
        Instant oldest = null;
        for (Instant t : inFlight) {
            if (oldest == null || t.isBefore(oldest)) {
                oldest = t;
            }
        }
        Duration lag = oldest == null || oldest.isAfter(now) ? Duration.ZERO : Duration.between(oldest, now);
        return new ProcessorMetrics(startedAt, seen.get(), done.get(), duplicates.get(), failedAttempts.get(),
                retries.get(), deadLettered.get(), inFlight.size(), (double) recent / window, lag);
    }
}
