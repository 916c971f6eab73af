package io.datalake.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.datalake.mongo.TestLakes;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The CLI with registries: secrets in registry URIs, payloads that must outlive the demo, import progress. */
class EmbeddedCliRegistryTest {
    private static final String SECRET = "TOPSECRET42";

    private final CliRunner cli = new CliRunner();

    @TempDir
    Path temp;

    @AfterEach
    void resetRecorder() {
        RecordingRegistryProvider.observer = () -> "";
        RecordingRegistryProvider.seenAtPut.clear();
    }

    private String secretRegistry() {
        return "recfile://" + temp.resolve("reg") + "?accessKeyId=AKIA&secretAccessKey=" + SECRET;
    }

    @Test
    void importNeverPrintsTheRegistryCredentials() throws IOException {
        Path dir = Files.createDirectories(temp.resolve("in"));
        Files.writeString(dir.resolve("a.txt"), "a");

        CliRunner.Result result = cli.run("import", dir.toString(), "--registry", secretRegistry());

        assertThat(result.code).as(result.toString()).isZero();
        assertThat(result.out).contains("imported 1 file").contains("secretAccessKey=***");
        assertThat(result.out + result.err).doesNotContain(SECRET);
    }

    @Test
    void demoNeverPrintsTheRegistryCredentials() {
        CliRunner.Result result = cli.run("demo", "--registry", secretRegistry(), "--export-dir",
                temp.resolve("demo-hf").toString());

        assertThat(result.code).as(result.toString()).isZero();
        assertThat(result.out).contains("payloads in recfile://").contains("secretAccessKey=***");
        assertThat(result.out + result.err).doesNotContain(SECRET);
    }

    @Test
    void demoOnAMongoDatabaseNeedsARegistryThatOutlivesIt() throws IOException {
        CliRunner.Result result = cli.run("demo");

        assertThat(result.code).as(result.toString()).isEqualTo(2);
        assertThat(result.err.strip().lines()).hasSize(1);
        assertThat(result.err).contains("--registry").contains("DATALAKE_REGISTRY");
        assertThat(new ObjectMapper().readTree(cli.run("stats", "--json").out).get("datums").asLong()).isZero();
    }

    @Test
    void importProgressMovesWhilePayloadsAreStillBeingPlaced() throws IOException {
        Path dir = Files.createDirectories(temp.resolve("many"));
        int files = 40;
        for (int i = 0; i < files; i++) {
            Files.writeString(dir.resolve(String.format("f%02d.txt", i)), "content " + i);
        }
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        RecordingRegistryProvider.observer = () -> err.toString(StandardCharsets.UTF_8);
        int code;
        try (PrintStream out = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
                PrintStream errStream = new PrintStream(err, true, StandardCharsets.UTF_8)) {
            code = DatalakeCli.execute(Map.of(), new ByteArrayInputStream(new byte[0]), out, errStream,
                    "import", dir.toString(), "--registry", "recfile://" + temp.resolve("reg"),
                    "--mongo-uri", TestLakes.connectionString(), "--database", cli.database);
        }

        assertThat(code).as(err.toString(StandardCharsets.UTF_8)).isZero();
        assertThat(RecordingRegistryProvider.seenAtPut).hasSize(files);
        assertThat(RecordingRegistryProvider.seenAtPut)
                .as("progress was reported before the last payloads were uploaded")
                .anyMatch(seen -> seen.contains("imported ") && seen.contains("/" + files + " files"));
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("imported " + files + "/" + files + " files");
    }
}
