package io.datalake.cli.internal;

import java.io.PrintStream;

/**
 * Progress of long work, on standard error only, so that piped standard output stays clean. On a terminal one line
 * is redrawn in place: a bar when the total is known, the running text alone when it is not. Elsewhere (logs,
 * pipes) a line per tenth of the work when the total is known, and nothing when it is not: the command's result
 * says the count.
 */
final class Progress {
    static final int BAR_WIDTH = 30;

    private final PrintStream err;
    private final boolean terminal;
    private final String drawing;
    private final String logging;
    private final String unit;
    private final long total;
    private long advanced;
    private int lastTenth;
    /** Length of the line last drawn, so a shorter line blanks what it leaves; 0 when nothing is drawn. */
    private int drawn;

    /**
     * @param err standard error
     * @param terminal whether standard error is a terminal
     * @param drawing what the redrawn line starts with, e.g. "importing"
     * @param logging what a logged line starts with, e.g. "imported"
     * @param unit what {@link #advance} counts, e.g. "files"
     * @param total the work's size, negative when unknown
     */
    Progress(PrintStream err, boolean terminal, String drawing, String logging, String unit, long total) {
        this.err = err;
        this.terminal = terminal;
        this.drawing = drawing;
        this.logging = logging;
        this.unit = unit;
        this.total = total;
    }

    /** Work of unknown size: a running line on a terminal, nothing elsewhere. */
    static Progress unbounded(PrintStream err, boolean terminal, String drawing) {
        return new Progress(err, terminal, drawing, drawing, "", -1);
    }

    /** One more unit done, shown as {@code done/total unit}. */
    synchronized void advance() {
        advanced++;
        show(advanced, advanced + "/" + total + " " + unit);
    }

    /**
     * Shows {@code done} of the total (the bar, the tenths) with a text of the caller's.
     *
     * @param done the work done, out of the total (ignored when the total is unknown)
     * @param text what the line says after the bar, e.g. "1200/4000 rows"
     */
    synchronized void show(long done, String text) {
        if (terminal) {
            String line;
            if (total < 0) {
                line = drawing + " " + text;
            } else {
                int filled = (int) (total == 0 ? BAR_WIDTH : Math.min(done, total) * BAR_WIDTH / total);
                line = drawing + " [" + "#".repeat(filled) + " ".repeat(BAR_WIDTH - filled) + "] " + text;
            }
            err.print("\r" + line + " ".repeat(Math.max(0, drawn - line.length())));
            err.flush();
            drawn = Math.max(1, line.length());
            return;
        }
        if (total < 0) {
            return;
        }
        int tenth = (int) (total == 0 ? 10 : Math.min(done, total) * 10 / total);
        if (tenth > lastTenth) {
            lastTenth = tenth;
            err.println(logging + " " + text);
        }
    }

    /** Blanks the redrawn line, if any, so a line printed next on the same terminal starts clean. */
    synchronized void clear() {
        if (drawn > 0) {
            err.print("\r" + " ".repeat(drawn) + "\r");
            err.flush();
            drawn = 0;
        }
    }

    /** Ends the redrawn line, if any, so what follows starts on a line of its own. Safe to call twice. */
    synchronized void finish() {
        if (drawn > 0) {
            err.println();
            drawn = 0;
        }
    }
}
