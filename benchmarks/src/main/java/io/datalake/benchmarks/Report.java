package io.datalake.benchmarks;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/** The results of one run: where it ran, with which sizes, and each scenario's figures and checks. */
final class Report {
    final String date = ZonedDateTime.now(ZoneOffset.UTC).format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'"));
    final String machine = machine();
    final String jdk = System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version")
            + ", max heap " + mib(Runtime.getRuntime().maxMemory());
    final String server;
    final BenchmarkOptions options;
    final List<ScenarioResult> scenarios = new ArrayList<>();

    Report(String server, BenchmarkOptions options) {
        this.server = server;
        this.options = options;
    }

    private static String machine() {
        long memory = -1;
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            memory = os.getTotalMemorySize();
        }
        String cpu = "";
        try (Stream<String> lines = Files.lines(Path.of("/proc/cpuinfo"))) {
            cpu = lines.filter(l -> l.startsWith("model name")).findFirst()
                    .map(l -> " (" + l.substring(l.indexOf(':') + 1).trim() + ")").orElse("");
        } catch (IOException | RuntimeException e) {
            // Not Linux: the core count and memory still describe the machine.
        }
        return Runtime.getRuntime().availableProcessors() + " cores" + cpu + ", "
                + (memory > 0 ? String.format(Locale.ROOT, "%.1f GiB", memory / (1024.0 * 1024 * 1024)) : "?")
                + " memory, " + System.getProperty("os.name") + " " + System.getProperty("os.arch");
    }

    static String mib(long bytes) {
        return String.format(Locale.ROOT, "%,.0f MiB", bytes / (1024.0 * 1024));
    }

    boolean allPassed() {
        return scenarios.stream().allMatch(s -> s.ran() && s.checks.stream().allMatch(Check::pass));
    }

    void write(Path path) throws IOException {
        Path parent = path.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        Files.writeString(path, markdown(), StandardCharsets.UTF_8);
    }

    String markdown() {
        StringBuilder md = new StringBuilder();
        md.append("# Benchmark results\n\n");
        if (options.smoke()) {
            md.append("**Smoke run: tiny sizes, the figures say nothing about speed.**\n\n");
        }
        md.append("Written by the benchmark harness (`benchmarks/README.md` says how to run it). Each figure is the ")
                .append("median and range of ").append(options.runs()).append(" measured runs after ")
                .append(options.warmups()).append(" warm-up round(s); compared sides run interleaved in one ")
                .append("process (A, B, A, B, ...). Ratios are computed from the medians, except checks marked ")
                .append("\"(paired)\": the median of the per-round ratios of the two sides.\n\n");
        md.append("| | |\n|---|---|\n");
        md.append("| Date | ").append(date).append(" |\n");
        md.append("| Machine | ").append(machine).append(" |\n");
        md.append("| JDK | ").append(jdk).append(" |\n");
        md.append("| Server | ").append(server).append(" |\n");
        md.append("| Batch size | ").append(options.batchSize()).append(" (store and baselines) |\n\n");

        md.append("## Summary\n\n| Scenario | Check | Measured | Target | Result |\n|---|---|---|---|---|\n");
        for (ScenarioResult s : scenarios) {
            if (!s.ran()) {
                md.append("| ").append(s.number).append(". ").append(s.title).append(" | | | | **not run: ")
                        .append(escape(String.valueOf(s.notRun))).append("** |\n");
                continue;
            }
            for (Check c : s.checks) {
                md.append("| ").append(s.number).append(". ").append(s.title).append(" | ").append(escape(c.name()))
                        .append(" | ").append(c.measured()).append(" | ").append(c.target()).append(" | ")
                        .append(c.pass() ? "pass" : "**FAIL**").append(" |\n");
            }
        }
        md.append('\n');

        for (ScenarioResult s : scenarios) {
            md.append("## ").append(s.number).append(". ").append(s.title).append("\n\n");
            if (!s.ran()) {
                md.append("**Not run:** ").append(s.notRun).append("\n\n");
                continue;
            }
            for (String line : s.setup) {
                md.append("- ").append(line).append('\n');
            }
            if (!s.setup.isEmpty()) {
                md.append('\n');
            }
            if (!s.figures.isEmpty()) {
                md.append("| Figure | Median | Min | Max | Runs | Rate at median |\n|---|---|---|---|---|---|\n");
                for (Figure f : s.figures) {
                    md.append("| ").append(escape(f.name())).append(" | ").append(f.format(f.median()))
                            .append(" | ").append(f.format(f.min())).append(" | ").append(f.format(f.max()))
                            .append(" | ").append(f.runs()).append(" | ")
                            .append(f.rate() == null ? "" : f.rate()).append(" |\n");
                }
                md.append('\n');
            }
            if (!s.checks.isEmpty()) {
                md.append("| Check | Measured | Target | Result |\n|---|---|---|---|\n");
                for (Check c : s.checks) {
                    md.append("| ").append(escape(c.name())).append(" | ").append(c.measured()).append(" | ")
                            .append(c.target()).append(" | ").append(c.pass() ? "pass" : "**FAIL**").append(" |\n");
                }
                md.append('\n');
            }
            for (String note : s.notes) {
                md.append(note).append("\n\n");
            }
        }
        return md.toString();
    }

    private static String escape(String text) {
        return text.replace("|", "\\|");
    }
}
