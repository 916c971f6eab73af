package io.datalake.cli;

import io.datalake.mongo.TestLakes;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/** Runs the command line in-process against a fresh database of the shared embedded server. */
final class CliRunner {
    private static final AtomicInteger DATABASES = new AtomicInteger();

    final String database = "cli_" + DATABASES.incrementAndGet();
    final Map<String, String> env = new HashMap<>();
    String stdin = "";
    /** Raw bytes for standard input, when set: used instead of {@link #stdin}. */
    byte[] stdinBytes;

    /** The outcome of one command. */
    static final class Result {
        final int code;
        final String out;
        final String err;

        Result(int code, String out, String err) {
            this.code = code;
            this.out = out;
            this.err = err;
        }

        @Override
        public String toString() {
            return "exit " + code + "\n--- stdout\n" + out + "--- stderr\n" + err;
        }
    }

    /** Runs a command connected to this runner's database. */
    Result run(String... args) {
        List<String> all = new ArrayList<>(Arrays.asList(args));
        all.add("--mongo-uri");
        all.add(TestLakes.connectionString());
        all.add("--database");
        all.add(database);
        return runRaw(all.toArray(new String[0]));
    }

    /** Runs a command with exactly these arguments and this runner's environment. */
    Result runRaw(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code;
        try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
                PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
            code = DatalakeCli.execute(env, new ByteArrayInputStream(stdinBytes != null ? stdinBytes : stdin.getBytes(StandardCharsets.UTF_8)), o, e,
                    args);
        }
        return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }
}
