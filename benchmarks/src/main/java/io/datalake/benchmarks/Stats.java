package io.datalake.benchmarks;

import java.util.Arrays;
import java.util.Map;

/**
 * Durations of the measured runs of one figure (warm-up excluded), in nanoseconds, in the order they ran (run i
 * of every figure of one interleaved loop ran in the same round, which paired ratios rely on). A figure whose run
 * exceeded the time limit has {@code timedOut} set and one "duration", the limit: its true median is larger.
 */
record Stats(long[] nanos, boolean timedOut) {
    Stats {
        if (nanos.length == 0) {
            throw new IllegalArgumentException("a figure needs at least one measured run");
        }
        nanos = nanos.clone();
    }

    /** The durations in run order. */
    @Override
    public long[] nanos() {
        return nanos.clone();
    }

    private long[] sorted() {
        long[] copy = nanos.clone();
        Arrays.sort(copy);
        return copy;
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
        return median(sorted()) / 1e9;
    }

    /** Median of sorted values; the mean of the two middle ones for an even count. */
    static double median(double[] sorted) {
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0;
    }

    private static double median(long[] sorted) {
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0;
    }

    double min() {
        return sorted()[0] / 1e9;
    }

    double max() {
        return sorted()[nanos.length - 1] / 1e9;
    }

    int runs() {
        return timedOut ? 0 : nanos.length;
    }
}
