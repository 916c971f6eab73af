package io.datalake.benchmarks;

import java.util.Arrays;
import java.util.Map;

/**
 * Durations of the measured runs of one figure (warm-up excluded), in nanoseconds. A figure whose run exceeded
 * the time limit has {@code timedOut} set and one "duration", the limit: its true median is larger.
 */
record Stats(long[] nanos, boolean timedOut) {
    Stats {
        if (nanos.length == 0) {
            throw new IllegalArgumentException("a figure needs at least one measured run");
        }
        nanos = nanos.clone();
        Arrays.sort(nanos);
    }

    /**
     * Returns the figure measured under {@code name}.
     *
     * @throws IllegalArgumentException if no trial of that name was run (a typo in a scenario)
     */
    static Stats in(Map<String, Stats> stats, String name) {
        Stats figure = stats.get(name);
        if (figure == null) {
            throw new IllegalArgumentException("no figure named '" + name + "' among " + stats.keySet());
        }
        return figure;
    }

    static Stats of(long... nanos) {
        return new Stats(nanos, false);
    }

    static Stats timedOut(long limitNanos) {
        return new Stats(new long[] {limitNanos}, true);
    }

    /** Median in seconds; the mean of the two middle runs for an even count. */
    double median() {
        int n = nanos.length;
        double mid = n % 2 == 1 ? nanos[n / 2] : (nanos[n / 2 - 1] + nanos[n / 2]) / 2.0;
        return mid / 1e9;
    }

    double min() {
        return nanos[0] / 1e9;
    }

    double max() {
        return nanos[nanos.length - 1] / 1e9;
    }

    int runs() {
        return timedOut ? 0 : nanos.length;
    }
}
