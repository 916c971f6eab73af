package io.datalake.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import io.datalake.BlockingDatalake;
import io.datalake.DatalakeSettings;
import io.datalake.dataset.VersionInfo;
import io.datalake.dataset.VersionRef;
import io.datalake.mongo.Datalakes;
import io.datalake.mongo.TestLakes;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The demo's last step: its dataset version exported to the Hugging Face datasets layout, and how to load it. */
class EmbeddedDemoExportCliTest {
    private final CliRunner cli = new CliRunner();

    @TempDir
    Path temp;

    @Test
    void theDemoEndsWithAHuggingFaceExportAndSaysHowToLoadIt() throws IOException {
        Path hf = temp.resolve("exports/demo-hf");

        CliRunner.Result demo = cli.run("demo", "--registry", temp.resolve("reg").toString(), "--export-dir",
                hf.toString());

        assertThat(demo.code).as(demo.toString()).isZero();
        // Until the Hugging Face writer is merged the step reports that it is not available; then this test runs.
        assumeFalse(demo.out.contains("export format hf is not available yet"), "the hf writer is not merged yet");
        VersionInfo version;
        try (BlockingDatalake lake = Datalakes.create(DatalakeSettings.builder()
                .mongoUri(TestLakes.connectionString()).database(cli.database).build()).blocking()) {
            version = lake.reactive().datasets().resolve(VersionRef.parse("labelled-images@2")).block();
        }
        assertThat(demo.out).contains(
                "11. Exporting labelled-images@2 for training in the Hugging Face datasets layout",
                "exported 12 rows of labelled-images@2 as hf into " + hf.toAbsolutePath() + ": ",
                "load it in Python: import datasets; ds = datasets.load_dataset(\"" + hf.toAbsolutePath() + "\")");
        assertThat(hf.resolve("manifest.json")).isRegularFile();
        assertThat(Files.readString(hf.resolve("README.md"))).contains("labelled-images", version.contentHash());
        try (Stream<Path> files = Files.walk(hf.resolve("data"))) {
            assertThat(files.map(Path::toString)).anyMatch(name -> name.endsWith(".parquet"));
        }
    }

    @Test
    void aFailedExportIsReportedInItsStepAndLeavesNoFolder() throws IOException {
        // The export folder's parent is a file: the export cannot create it.
        Path blocker = Files.writeString(temp.resolve("not-a-folder"), "x");
        Path hf = blocker.resolve("demo-hf");

        CliRunner.Result demo = cli.runRaw("demo", "--export-dir", hf.toString());

        assertThat(demo.code).as(demo.toString()).isZero();
        assertThat(demo.out).contains("11. Exporting labelled-images@2", "   not exported: ", "done in");
        // Nothing beside the file: no export folder, no partial folder.
        try (Stream<Path> left = Files.list(temp)) {
            assertThat(left).containsExactly(blocker);
        }
    }

    @Test
    void anExistingExportFolderIsRefusedBeforeTheDemoStarts() throws IOException {
        Path existing = Files.createDirectories(temp.resolve("taken"));

        CliRunner.Result demo = cli.runRaw("demo", "--export-dir", existing.toString());

        assertThat(demo.code).as(demo.toString()).isEqualTo(2);
        assertThat(demo.err.strip().lines()).hasSize(1);
        assertThat(demo.err).contains("--export-dir " + existing + " already exists");
        assertThat(demo.out).isEmpty();
    }
}
