package io.datalake.cli.internal;

import java.io.InputStream;
import java.io.PrintStream;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * What a command may touch outside its arguments: the environment, standard streams and whether they are a
 * terminal. Passed in rather than read from {@link System} so that tests run commands in-process.
 */
public final class CliContext {
    private final Map<String, String> env;
    private final InputStream in;
    private final PrintStream out;
    private final PrintStream err;
    private final boolean terminal;
    private final boolean unicode;
    private final boolean program;

    /**
     * Creates a context.
     *
     * @param env the environment variables
     * @param in standard input
     * @param out standard output
     * @param err standard error
     * @param terminal whether standard error is an interactive terminal (progress bars) and standard input is not
     *     piped
     * @param unicode whether output may use box-drawing characters
     */
    public CliContext(
            Map<String, String> env, InputStream in, PrintStream out, PrintStream err, boolean terminal,
            boolean unicode) {
        this(env, in, out, err, terminal, unicode, false);
    }

    /**
     * Creates a context.
     *
     * @param env the environment variables
     * @param in standard input
     * @param out standard output
     * @param err standard error
     * @param terminal whether standard error is an interactive terminal and standard input is not piped
     * @param unicode whether output may use box-drawing characters
     * @param program whether the command line runs as its own process (then it may install a shutdown hook
     *     that reports an interrupted import); false in-process
     */
    public CliContext(
            Map<String, String> env, InputStream in, PrintStream out, PrintStream err, boolean terminal,
            boolean unicode, boolean program) {
        this.program = program;
        this.env = Map.copyOf(env);
        this.in = in;
        this.out = out;
        this.err = err;
        this.terminal = terminal;
        this.unicode = unicode;
    }

    /**
     * Returns an environment variable.
     *
     * @param name the variable
     * @return its value, or null when unset or empty
     */
    public @Nullable String env(String name) {
        String value = env.get(name);
        return value == null || value.isEmpty() ? null : value;
    }

    /**
     * Returns standard input.
     *
     * @return the stream
     */
    public InputStream in() {
        return in;
    }

    /**
     * Returns standard output.
     *
     * @return the stream
     */
    public PrintStream out() {
        return out;
    }

    /**
     * Returns standard error.
     *
     * @return the stream
     */
    public PrintStream err() {
        return err;
    }

    /**
     * Tells whether the user watches an interactive terminal.
     *
     * @return true for a terminal, false for pipes, files and tests
     */
    public boolean terminal() {
        return terminal;
    }

    /**
     * Tells whether the command line is its own process, so a shutdown hook may report on Ctrl-C.
     *
     * @return true from {@code main}, false in-process
     */
    public boolean program() {
        return program;
    }

    /**
     * Tells whether output may use box-drawing characters.
     *
     * @return true when the output encoding can show them
     */
    public boolean unicode() {
        return unicode;
    }
}
