package io.datalake.benchmarks;

import io.datalake.Datalake;
import java.io.File;
import java.net.URISyntaxException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Scenario 7: the full 3-level query streamed over a big lake completes in a JVM with a small heap. The lake
 * lives in this JVM's server (or the given MongoDB); the query runs in a child JVM started with {@code -Xmx}
 * that reports its peak heap ({@link MemoryProbe}).
 */
final class MemoryScenario {
    /** Datums per classified image on average: the image, 2 classifications, 2 boxes; plus 1 in 20 unclassified. */
    private static final double DATUMS_PER_IMAGE = 5.05;
    private static final Pattern RESULT = Pattern.compile(MemoryProbe.RESULT
            + " rows=(\\d+) seconds=([0-9.]+) peakHeapBytes=(\\d+) maxHeapBytes=(\\d+)");

    private MemoryScenario() {
    }

    static ScenarioResult run(BenchmarkRun.Context context) throws Exception {
        BenchmarkOptions options = context.options();
        BenchServer server = context.server();
        int images = Math.max(1, (int) Math.round(options.memoryDatums() / DATUMS_PER_IMAGE));
        Workloads.ImageLakeShape shape = new Workloads.ImageLakeShape();
        String database = server.freshDatabase();
        try {
            try (Datalake lake = server.openLake(database)) {
                context.log().println("  loading the memory lake");
                BenchServer.load(lake, Workloads.imageLake(images, options.seed() + 7, shape));
            }
            context.log().println("  running the query in a JVM with -Xmx" + options.memoryHeap());
            Child child = Child.run(context, MemoryProbe.class, server.uri(), database,
                    Integer.toString(options.batchSize()));
            boolean exited = child.exited();
            String text = child.output();

            ScenarioResult result = new ScenarioResult(7, "Memory");
            result.setup.add("Lake: " + shape);
            result.setup.add("The full 3-level query of scenario 3 streamed (queryRows, rows counted, not kept) in a "
                    + "child JVM started with -Xmx" + options.memoryHeap() + "; peak heap is the sum of the heap "
                    + "pools' peak usage (an upper bound of the true peak); measured once");
            Matcher m = RESULT.matcher(text);
            boolean completed = exited && child.exitValue() == 0 && m.find();
            if (!completed) {
                result.checks.add(new Check("completes under -Xmx" + options.memoryHeap(), "no: " + child.why(),
                        "yes", false));
                return result;
            }
            long rows = Long.parseLong(m.group(1));
            double seconds = Double.parseDouble(m.group(2));
            long peak = Long.parseLong(m.group(3));
            result.figures.add(new Figure("full 3-level query under -Xmx" + options.memoryHeap() + ", " + rows
                    + " rows", seconds, seconds, seconds, 1, "s", Figure.rate(rows / seconds, "rows"), false));
            result.figures.add(Figure.value("peak heap of the query JVM", peak / (1024.0 * 1024), "MiB"));
            boolean rightRows = rows == shape.latestLatestRows;
            result.checks.add(new Check("completes under -Xmx" + options.memoryHeap() + " with every row",
                    String.format(Locale.ROOT, "yes, %,d rows, peak heap %s", rows, Report.mib(peak)),
                    "yes, " + String.format(Locale.ROOT, "%,d", shape.latestLatestRows) + " rows", rightRows));
            return result;
        } finally {
            server.drop(database);
        }
    }

    /**
     * A probe run in a child JVM with the heap limit of {@code --memory-heap}, its output captured, stopped
     * after {@code max(3 x --run-timeout, 60 s)}.
     *
     * @param exitValue the exit code, meaningless if the child did not exit
     */
    record Child(boolean exited, int exitValue, String output, long limitSeconds) {
        static Child run(BenchmarkRun.Context context, Class<?> main, String... args) throws Exception {
            BenchmarkOptions options = context.options();
            List<String> command = new ArrayList<>(List.of(javaExecutable(), "-Xmx" + options.memoryHeap(),
                    "-XX:+ExitOnOutOfMemoryError", "-cp", classpath(), main.getName()));
            command.addAll(List.of(args));
            Path output = Files.createTempFile("memory-probe", ".log");
            long limit = Math.max(options.runTimeout().toSeconds() * 3, 60);
            try {
                Process process = new ProcessBuilder(command).redirectErrorStream(true)
                        .redirectOutput(output.toFile()).start();
                boolean exited = process.waitFor(limit, TimeUnit.SECONDS);
                if (!exited) {
                    process.destroyForcibly().waitFor();
                }
                return new Child(exited, exited ? process.exitValue() : -1,
                        Files.readString(output, StandardCharsets.UTF_8), limit);
            } finally {
                Files.deleteIfExists(output);
            }
        }

        /** Why the child did not complete: timed out, or its exit code and last lines. */
        String why() {
            return !exited ? "did not finish within " + limitSeconds + " s"
                    : "exited with " + exitValue + ": " + lastLines(output);
        }
    }

    private static String javaExecutable() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    /**
     * This JVM's application classpath: the URLs of the class loaders that loaded the harness (under
     * {@code exec:java} the project's class loader), else {@code java.class.path}.
     */
    static String classpath() throws URISyntaxException {
        Set<String> entries = new LinkedHashSet<>();
        for (ClassLoader loader = MemoryScenario.class.getClassLoader(); loader != null; loader = loader.getParent()) {
            if (loader instanceof URLClassLoader urls) {
                for (URL url : urls.getURLs()) {
                    if ("file".equals(url.getProtocol())) {
                        entries.add(Path.of(url.toURI()).toString());
                    }
                }
            }
        }
        if (entries.isEmpty()) {
            return System.getProperty("java.class.path");
        }
        return String.join(File.pathSeparator, entries);
    }

    private static String lastLines(String text) {
        String[] lines = text.strip().split("\n");
        return String.join(" / ", Arrays.asList(lines).subList(Math.max(0, lines.length - 3), lines.length));
    }
}
