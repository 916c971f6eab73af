package io.datalake.benchmarks;

import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * One measured figure: the median and range of its runs, and what the median means as a rate (rows/s,
 * datums/s, MB/s) when the figure processes a known number of items. A figure that did not finish within the
 * time limit shows the limit as "&gt; limit".
 */
record Figure(String name, double median, double min, double max, int runs, String unit,
        @Nullable String rate, boolean timedOut) {

    /** A timed figure; {@code items} of {@code itemUnit} per run give its rate at the median. */
    static Figure timed(String name, Stats stats, double items, String itemUnit) {
        String rate = items <= 0 ? null : (stats.timedOut() ? "< " : "") + rate(items / stats.median(), itemUnit);
        return new Figure(name, stats.median(), stats.min(), stats.max(), stats.runs(), "s", rate,
                stats.timedOut());
    }

    /** A single value measured once (peak heap). */
    static Figure value(String name, double value, String unit) {
        return new Figure(name, value, value, value, 1, unit, null, false);
    }

    static String rate(double perSecond, String itemUnit) {
        return String.format(Locale.ROOT, perSecond >= 100 ? "%,.0f %s/s" : "%,.2f %s/s", perSecond, itemUnit);
    }

    String format(double v) {
        String text;
        if ("s".equals(unit)) {
            text = v >= 10 ? String.format(Locale.ROOT, "%.2f s", v)
                    : v >= 0.1 ? String.format(Locale.ROOT, "%.3f s", v)
                    : String.format(Locale.ROOT, "%.1f ms", v * 1000);
        } else {
            text = String.format(Locale.ROOT, "%,.1f %s", v, unit);
        }
        return timedOut ? "> " + text + " (did not finish)" : text;
    }
}
