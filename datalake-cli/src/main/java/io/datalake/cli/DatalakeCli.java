package io.datalake.cli;

import io.datalake.DatalakeException;
import io.datalake.DatumValidationException;
import io.datalake.InvalidArgumentException;
import io.datalake.InvalidQueryException;
import io.datalake.cli.internal.CliContext;
import io.datalake.cli.internal.RootCommand;
import io.datalake.cli.internal.UsageException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.Charset;
import java.util.Map;
import picocli.CommandLine;
import org.bson.types.ObjectId;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.TypeConversionException;
import reactor.core.Exceptions;

/**
 * Entry point of the {@code datalake} command line. {@link #main} runs it as a program; {@link #execute} runs it
 * in-process with given streams and environment and returns the exit code, which is how tests drive it.
 *
 * <p>Exit codes: {@value #EXIT_OK} success, {@value #EXIT_FAILURE} runtime failure, {@value #EXIT_USAGE} bad usage
 * or invalid input ({@link InvalidArgumentException}, {@link InvalidQueryException},
 * {@link DatumValidationException}, malformed JSON, input nested too deeply), {@value #EXIT_INTERRUPTED} interrupted
 * (Ctrl-C). Failures print one line on standard error naming the problem, never a stack trace, whatever the
 * exception; {@code --verbose} adds the stack trace.
 */
public final class DatalakeCli {
    /** Exit code of a command that succeeded. */
    public static final int EXIT_OK = 0;
    /** Exit code of a command that failed at run time (unreachable server, missing datum, I/O error). */
    public static final int EXIT_FAILURE = 1;
    /** Exit code of a command called wrongly: unknown option, bad JSON, invalid query. */
    public static final int EXIT_USAGE = 2;
    /** Exit code of a command stopped by SIGINT (Ctrl-C), as shells report it. */
    public static final int EXIT_INTERRUPTED = 130;

    private DatalakeCli() {
    }

    /**
     * Runs the command line and exits with its exit code.
     *
     * @param args the arguments
     */
    public static void main(String[] args) {
        boolean terminal = System.console() != null;
        boolean unicode = Charset.defaultCharset().newEncoder().canEncode('\u2514');
        System.exit(execute(new CliContext(System.getenv(), System.in, System.out, System.err, terminal, unicode,
                true), args));
    }

    /**
     * Runs the command line in-process.
     *
     * @param env the environment variables to read connection defaults from
     * @param in standard input
     * @param out standard output
     * @param err standard error
     * @param args the arguments
     * @return the exit code
     */
    public static int execute(Map<String, String> env, InputStream in, PrintStream out, PrintStream err,
            String... args) {
        return execute(new CliContext(env, in, out, err, false, true), args);
    }

    private static int execute(CliContext context, String... args) {
        RootCommand root = new RootCommand(context);
        CommandLine commandLine = new CommandLine(root);
        commandLine.setOut(new PrintWriter(context.out(), true));
        commandLine.setErr(new PrintWriter(context.err(), true));
        // JSON arguments may start with '@'; expanding them as argument files would surprise.
        commandLine.setExpandAtFiles(false);
        commandLine.setCaseInsensitiveEnumValuesAllowed(true);
        commandLine.setUsageHelpAutoWidth(true);
        // Examples in footers are commands to paste: never wrapped, whatever the terminal's width.
        Map<String, CommandLine.IHelpSectionRenderer> sections = commandLine.getHelpSectionMap();
        sections.put(CommandLine.Model.UsageMessageSpec.SECTION_KEY_FOOTER, DatalakeCli::unwrappedFooter);
        commandLine.setHelpSectionMap(sections);
        commandLine.registerConverter(ObjectId.class, text -> {
            if (!ObjectId.isValid(text)) {
                throw new TypeConversionException("'" + text + "' is not a datum id (24 hex digits)");
            }
            return new ObjectId(text);
        });
        commandLine.setParameterExceptionHandler((ex, arguments) -> {
            CommandLine failed = ex.getCommandLine();
            context.err().println(failed.getCommandSpec().qualifiedName() + ": " + ex.getMessage()
                    + " (see '" + failed.getCommandSpec().qualifiedName() + " --help')");
            return EXIT_USAGE;
        });
        commandLine.setExecutionExceptionHandler((ex, failed, parseResult) ->
                report(context, failed.getCommandSpec().qualifiedName(), ex, root.verboseRequested()));
        int code;
        try {
            code = commandLine.execute(args);
        } catch (StackOverflowError | RuntimeException e) {
            // picocli lets Errors through; nothing may reach the user as a raw JVM stack trace.
            code = report(context, "datalake", e, root.verboseRequested());
        }
        context.out().flush();
        context.err().flush();
        return code;
    }

    private static int report(CliContext context, String command, Throwable thrown, boolean verbose) {
        Throwable error = Exceptions.unwrap(thrown);
        context.err().println(command + ": " + message(error));
        if (verbose) {
            error.printStackTrace(context.err());
        }
        return exitCode(error);
    }

    /**
     * Returns the exit code for a failure: {@value #EXIT_USAGE} for a mistake in the input the user can fix by
     * changing the command, {@value #EXIT_FAILURE} for everything else.
     */
    static int exitCode(Throwable error) {
        return error instanceof UsageException
                || error instanceof ParameterException
                || error instanceof InvalidArgumentException
                || error instanceof InvalidQueryException
                || error instanceof DatumValidationException
                || error instanceof StackOverflowError
                ? EXIT_USAGE : EXIT_FAILURE;
    }

    static String message(Throwable error) {
        if (error instanceof StackOverflowError) {
            return "the input is nested too deeply to process; keep JSON values under 100 levels of nesting";
        }
        if (error instanceof OutOfMemoryError) {
            return "out of memory; give Java more heap, for example DATALAKE_JAVA_OPTS=-Xmx2g";
        }
        String message = error.getMessage();
        if (message == null || message.isBlank()) {
            message = error.getClass().getSimpleName();
        }
        boolean ours = error instanceof DatalakeException || error instanceof UsageException
                || error instanceof ParameterException || error instanceof java.io.UncheckedIOException;
        if (!ours) {
            // Not a failure the lake or the command line describes: name its kind so it can be reported.
            message = "unexpected " + error.getClass().getName() + ": " + message
                    + " (run with --verbose for the stack trace)";
        }
        // A wrapper's message may not say why; the first cause that adds something does. The command line's own
        // messages already say it.
        boolean complete = error instanceof UsageException || error instanceof ParameterException
                || error instanceof java.io.UncheckedIOException;
        for (Throwable cause = complete ? null : error.getCause(); cause != null && cause != cause.getCause();
                cause = cause.getCause()) {
            String why = cause.getMessage();
            if (why != null && !why.isBlank() && !message.contains(why.strip())) {
                message = message + ": " + why.strip();
                break;
            }
        }
        // A driver message can span lines; the contract is one line.
        return message.strip().replaceAll("\\s*\\R\\s*", " ");
    }

    /** The footer as written: each line once, never wrapped at the usage width. */
    private static String unwrappedFooter(CommandLine.Help help) {
        String[] footer = help.commandSpec().usageMessage().footer();
        StringBuilder text = new StringBuilder();
        for (String line : footer) {
            text.append(String.format(line)).append(System.lineSeparator());
        }
        return text.toString();
    }
}
