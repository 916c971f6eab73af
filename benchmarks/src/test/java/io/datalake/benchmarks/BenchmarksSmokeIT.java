package io.datalake.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * Runs the whole harness in smoke mode (tiny sizes) so it cannot rot: every scenario must run and produce
 * numbers, and the results file must be written. Speeds are never asserted here; {@code RESULTS.md} of a full
 * run says whether the targets are met.
 */
class BenchmarksSmokeIT {

    @Test
    void everyScenarioRunsAndProducesNumbers(@TempDir Path dir) throws Exception {
        Path output = dir.resolve("RESULTS.md");
        Benchmarks benchmarks = new Benchmarks(System.out);

        int exit = new CommandLine(benchmarks).execute("--smoke", "--output", output.toString());

        assertThat(exit).isZero();
        Report report = benchmarks.report();
        assertThat(report).isNotNull();
        assertThat(report.scenarios).extracting(s -> s.number).containsExactly(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14,
                15, 16, 17, 18, 19, 20);
        for (ScenarioResult scenario : report.scenarios) {
            assertThat(scenario.notRun).as("scenario %d not run", scenario.number).isNull();
            assertThat(scenario.figures).as("figures of scenario %d", scenario.number).isNotEmpty();
            for (Figure figure : scenario.figures) {
                assertThat(figure.timedOut()).as(figure.name()).isFalse();
                assertThat(figure.median()).as(figure.name()).isPositive().isFinite();
                assertThat(figure.min()).as(figure.name()).isLessThanOrEqualTo(figure.median());
                assertThat(figure.max()).as(figure.name()).isGreaterThanOrEqualTo(figure.median());
            }
            assertThat(scenario.checks).as("checks of scenario %d", scenario.number).isNotEmpty();
            for (Check check : scenario.checks) {
                assertThat(check.measured()).as(check.name()).matches("(yes.*|[<>]? ?[0-9.]+x)");
            }
        }
        String markdown = Files.readString(output);
        assertThat(markdown).contains("# Benchmark results", "Smoke run", "## Summary", "## 1. Ingest",
                "## 8. Registries",
                "## 12. Dataset memory", "## 13. Ingest with a schema", "## 14. Garbage collection",
                "## 15. fsck", "## 16. Processor throughput",
                "## 17. Change feed latency", "## 18. Export without payloads", "## 19. Export with payloads",
                "## 20. Export memory");
    }

    @Test
    void rejectsAnUnknownScenarioAsBadUsage() {
        int exit = new CommandLine(new Benchmarks(System.out)).execute("--smoke", "--scenarios", "99");

        assertThat(exit).isEqualTo(2);
    }

    @Test
    void rejectsAnExportFormatTheExportScenariosDoNotMeasureAsBadUsage() {
        // COCO is an export format, but scenarios 18 and 20 compare rows without payloads: jsonl or parquet only.
        int exit = new CommandLine(new Benchmarks(System.out)).execute("--smoke", "--scenarios", "18",
                "--export-format", "coco");

        assertThat(exit).isEqualTo(2);
    }
}
