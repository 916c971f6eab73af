package io.datalake.cli;

import io.datalake.DatumValidationException;
import io.datalake.InvalidArgumentException;
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
 * or invalid query. Failures print one line on standard error naming the problem; {@code --verbose} adds the stack
 * trace.
 */
public final class DatalakeCli {
    /** Exit code of a command that succeeded. */
    public static final int EXIT_OK = 0;
    /** Exit code of a command that failed at run time (unreachable server, missing datum, I/O error). */
    public static final int EXIT_FAILURE = 1;
    /** Exit code of a command called wrongly: unknown option, bad JSON, invalid query. */
    public static final int EXIT_USAGE = 2;

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
        System.exit(execute(new CliContext(System.getenv(), System.in, System.out, System.err, terminal, unicode),
                args));
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
        commandLine.setExecutionExceptionHandler((ex, failed, parseResult) -> {
            Throwable error = Exceptions.unwrap(ex);
            context.err().println(failed.getCommandSpec().qualifiedName() + ": " + message(error));
            if (root.verboseRequested()) {
                error.printStackTrace(context.err());
            }
            return isUsageError(error) ? EXIT_USAGE : EXIT_FAILURE;
        });
        int code = commandLine.execute(args);
        context.out().flush();
        context.err().flush();
        return code;
    }

    private static boolean isUsageError(Throwable error) {
        return error instanceof UsageException
                || error instanceof ParameterException
                || error instanceof InvalidArgumentException
                || error instanceof DatumValidationException;
    }

    private static String message(Throwable error) {
        String message = error.getMessage();
        if (message == null || message.isBlank()) {
            message = error.getClass().getSimpleName();
        }
        // A driver message can span lines; the contract is one line.
        return message.strip().replaceAll("\\s*\\R\\s*", " ");
    }
}
