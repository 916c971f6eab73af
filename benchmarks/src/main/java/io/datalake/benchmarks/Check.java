package io.datalake.benchmarks;

import java.util.Locale;

/**
 * One target of the issue and how this run measured against it: a ratio of two figures with its bound, or a
 * plain yes/no requirement (the memory scenario's "completes under the heap limit").
 */
record Check(String name, String measured, String target, boolean pass) {

    /**
     * A ratio {@code (numerator / numeratorItems) / (denominator / denominatorItems)} of two timed figures that
     * must be at least (or at most) {@code bound}. When a side did not finish, its time is only a lower bound, so
     * the ratio is too: the check passes only when that still decides it.
     */
    static Check ratio(String name, Stats numerator, double numeratorItems, Stats denominator,
            double denominatorItems, boolean atLeast, double bound) {
        double value = (numerator.median() / numeratorItems) / (denominator.median() / denominatorItems);
        String target = (atLeast ? "≥ " : "≤ ") + format(bound);
        if (numerator.timedOut() && denominator.timedOut()) {
            return new Check(name, "unknown: neither side finished", target, false);
        }
        if (numerator.timedOut()) {
            // The true ratio is larger than the value.
            return new Check(name, "> " + format(value), target, atLeast && value >= bound);
        }
        if (denominator.timedOut()) {
            // The true ratio is smaller than the value.
            return new Check(name, "< " + format(value), target, !atLeast && value <= bound);
        }
        return new Check(name, format(value), target, atLeast ? value >= bound : value <= bound);
    }

    /**
     * The median of the paired ratios {@code numerator[i] / denominator[i]} of two figures measured in the same
     * interleaved loop (run i of both ran in the same round, so a noisy moment moves both): steadier than the
     * ratio of the medians on a shared machine. If a side did not finish, falls back to {@link #ratio}, whose
     * bound logic applies.
     */
    static Check paired(String name, Stats numerator, Stats denominator, boolean atLeast, double bound) {
        long[] a = numerator.nanos();
        long[] b = denominator.nanos();
        if (numerator.timedOut() || denominator.timedOut() || a.length != b.length) {
            return ratio(name, numerator, 1, denominator, 1, atLeast, bound);
        }
        double[] ratios = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            ratios[i] = (double) a[i] / b[i];
        }
        java.util.Arrays.sort(ratios);
        double value = Stats.median(ratios);
        return new Check(name, format(value), (atLeast ? "≥ " : "≤ ") + format(bound),
                atLeast ? value >= bound : value <= bound);
    }

    static Check atLeast(String name, Stats numerator, Stats denominator, double bound) {
        return ratio(name, numerator, 1, denominator, 1, true, bound);
    }

    static Check atMost(String name, Stats numerator, Stats denominator, double bound) {
        return ratio(name, numerator, 1, denominator, 1, false, bound);
    }

    static String format(double value) {
        if (value >= 100) {
            return String.format(Locale.ROOT, "%.0fx", value);
        }
        if (value >= 10) {
            return String.format(Locale.ROOT, "%.1fx", value);
        }
        return String.format(Locale.ROOT, "%.3gx", value);
    }
}
