package io.datalake.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.datalake.BlockingDatalake;
import io.datalake.DatalakeSettings;
import io.datalake.Datum;
import io.datalake.RegistrySettings;
import io.datalake.cli.internal.CliContext;
import io.datalake.cli.internal.RootCommand;
import io.datalake.dataset.AuditOptions;
import io.datalake.dataset.DatasetSource;
import io.datalake.dataset.Datasets;
import io.datalake.dataset.VersionInfo;
import io.datalake.mongo.Datalakes;
import io.datalake.mongo.TestLakes;
import io.datalake.query.Query;
import io.datalake.query.QueryOptions;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code datalake export}: a version or a query's rows into a new folder, and the arguments it refuses. */
class EmbeddedCliExportTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String LABELLED = "[{\"metadata.kind\": \"image\", \"column\": \"image\", \"strategy\":"
            + " \"earliest\"}, {\"data.type\": \"label\", \"derived_from\": \"image\", \"column\": \"label\"}]";

    private final CliRunner cli = new CliRunner();
    private final List<AutoCloseable> toClose = new ArrayList<>();

    @TempDir
    Path temp;
    private Path registry;

    @BeforeEach
    void paths() {
        registry = temp.resolve("reg");
    }

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable c : toClose) {
            c.close();
        }
    }

    private BlockingDatalake lake() {
        BlockingDatalake lake = Datalakes.create(DatalakeSettings.builder()
                .mongoUri(TestLakes.connectionString()).database(cli.database)
                .registry(RegistrySettings.builder().defaultRegistry(registry.toString()).build()).build()).blocking();
        toClose.add(lake);
        return lake;
    }

    /** Four images in the file registry (two with the same bytes), each with a label; published as scenes@1. */
    private VersionInfo publishScenes() {
        BlockingDatalake lake = lake();
        String[] bytes = {"same image", "other image", "same image", "third image"};
        for (int i = 0; i < bytes.length; i++) {
            Datum image = lake.addDatum(bytes[i].getBytes(StandardCharsets.UTF_8), Map.of("kind", "image", "n", i),
                    registry.toString(), null);
            lake.addDatum(Map.of("type", "label", "label", "cat" + i), Map.of(), null, image.id());
        }
        Datasets datasets = lake.reactive().datasets();
        VersionInfo draft = datasets.createDraft("scenes", DatasetSource.query(Query.fromJson(LABELLED),
                QueryOptions.defaults())).block();
        assertThat(datasets.audit(draft.id(), AuditOptions.defaults(), List.of()).block().passed()).isTrue();
        return datasets.publish(draft.id()).block();
    }

    private CliRunner.Result export(String... args) {
        List<String> all = new ArrayList<>(List.of("export"));
        all.addAll(List.of(args));
        all.addAll(List.of("--registry", registry.toString()));
        return cli.run(all.toArray(new String[0]));
    }

    private static List<JsonNode> lines(Path file) throws IOException {
        List<JsonNode> lines = new ArrayList<>();
        for (String line : Files.readAllLines(file)) {
            lines.add(JSON.readTree(line));
        }
        return lines;
    }

    private static void assertOneLineError(CliRunner.Result result, int code, String... fragments) {
        assertThat(result.code).as(result.toString()).isEqualTo(code);
        assertThat(result.err.strip().lines()).as(result.toString()).hasSize(1);
        assertThat(result.err).as(result.toString()).contains(fragments).doesNotContain("\tat ");
    }

    @Test
    void exportsAVersionAsJsonlAndSaysWhatItWrote() throws IOException {
        publishScenes();
        Path out = temp.resolve("exports/scenes-v1");

        CliRunner.Result result = export("--dataset", "scenes@1", "--format", "jsonl", out.toString(),
                "--batch-size", "1");

        assertThat(result.code).as(result.toString()).isZero();
        assertThat(result.out.strip().lines()).as(result.toString()).singleElement().asString()
                .startsWith("exported 4 rows of scenes@1 as jsonl into " + out.toAbsolutePath() + ": 3 payload files, ")
                .contains("manifest.json sha256 ");
        assertThat(lines(out.resolve("data.jsonl"))).hasSize(4)
                .allSatisfy(line -> assertThat(line.get("columns").get("image").get("payload").asText())
                        .startsWith("payloads/"));
        try (Stream<Path> payloads = Files.list(out.resolve("payloads"))) {
            assertThat(payloads).hasSize(3);
        }
        JsonNode manifest = JSON.readTree(out.resolve("manifest.json").toFile());
        assertThat(manifest.toString()).contains("scenes@1");
        // Not a terminal: a line per tenth of the known row count, the last one saying all rows.
        assertThat(result.err).contains("exported 4/4 rows, 3 payload files");
    }

    @Test
    void exportsTheLatestVersionWithAJsonReport() throws IOException {
        publishScenes();
        Path out = temp.resolve("latest");

        CliRunner.Result result = export("--dataset", "scenes", "--format", "jsonl", out.toString(), "--json");

        assertThat(result.code).as(result.toString()).isZero();
        JsonNode report = JSON.readTree(result.out);
        assertThat(report.get("rows").asLong()).isEqualTo(4);
        assertThat(report.get("payload_files").asLong()).isEqualTo(3);
        assertThat(report.get("source").asText()).isEqualTo("scenes@1");
        assertThat(report.get("directory").asText()).isEqualTo(out.toAbsolutePath().toString());
        assertThat(out.resolve("manifest.json")).isRegularFile();
    }

    @Test
    void exportsTheRowsOfAQueryFileOrOfStandardInput() throws IOException {
        publishScenes();
        Path query = Files.writeString(temp.resolve("labelled.json"), LABELLED);
        Path out = temp.resolve("from-query");

        CliRunner.Result result = export("--query", query.toString(), "--limit", "3", "--format", "jsonl",
                out.toString());

        assertThat(result.code).as(result.toString()).isZero();
        assertThat(result.out).startsWith("exported 3 rows of the query in " + query + " as jsonl into "
                + out.toAbsolutePath() + ": ");
        assertThat(lines(out.resolve("data.jsonl"))).hasSize(3);
        JsonNode manifest = JSON.readTree(out.resolve("manifest.json").toFile());
        assertThat(manifest.toString()).contains("metadata.kind");
        // The row count of a query is unknown in advance: no progress lines off a terminal.
        assertThat(result.err).isEmpty();

        cli.stdin = LABELLED;
        Path fromStdin = temp.resolve("from-stdin");
        CliRunner.Result piped = export("--query", "-", "--format", "jsonl", fromStdin.toString());
        assertThat(piped.code).as(piped.toString()).isZero();
        assertThat(piped.out).startsWith("exported 4 rows of the query on standard input as jsonl");
        assertThat(lines(fromStdin.resolve("data.jsonl"))).hasSize(4);
    }

    @Test
    void onATerminalTheProgressBarIsDrawnInPlace() throws IOException {
        publishScenes();
        Path out = temp.resolve("bar");
        ByteArrayOutputStream stdout = new ByteArrayOutputStream();
        ByteArrayOutputStream stderr = new ByteArrayOutputStream();
        int code;
        try (PrintStream o = new PrintStream(stdout, true, StandardCharsets.UTF_8);
                PrintStream e = new PrintStream(stderr, true, StandardCharsets.UTF_8)) {
            code = new CommandLine(new RootCommand(new CliContext(Map.of(), new ByteArrayInputStream(new byte[0]),
                    o, e, true, true))).execute("export", "--dataset", "scenes", "--format", "jsonl", out.toString(),
                    "--batch-size", "2", "--registry", registry.toString(),
                    "--mongo-uri", TestLakes.connectionString(), "--database", cli.database);
        }

        String err = stderr.toString(StandardCharsets.UTF_8);
        assertThat(code).as(err).isZero();
        assertThat(err).contains("\rexporting [" + "#".repeat(15)).contains("] 2/4 rows")
                .contains("\rexporting [" + "#".repeat(30) + "] 4/4 rows");
        assertThat(stdout.toString(StandardCharsets.UTF_8)).startsWith("exported 4 rows");
    }

    @Test
    void aMissingVersionFailsAndCreatesNothing() {
        publishScenes();
        Path out = temp.resolve("none");

        CliRunner.Result result = export("--dataset", "scenes@7", "--format", "jsonl", out.toString());

        assertThat(result.code).as(result.toString()).isEqualTo(1);
        assertThat(result.err).contains("scenes@7");
        assertThat(out).doesNotExist();
    }

    @Test
    void badArgumentsExitWithTwoNamingTheValueAndWriteNothing() throws IOException {
        Path out = temp.resolve("out");
        Path query = Files.writeString(temp.resolve("q.json"), LABELLED);

        assertOneLineError(export("--dataset", "scenes", "--format", "xml", out.toString()), 2,
                "--format xml", "jsonl, parquet, hf, coco");
        assertOneLineError(export("--dataset", "scenes", out.toString()), 2, "--format");
        assertOneLineError(export("--format", "jsonl", out.toString()), 2, "--dataset", "--query");
        assertOneLineError(export("--dataset", "scenes", "--query", query.toString(), "--format", "jsonl",
                out.toString()), 2, "not both");
        assertOneLineError(export("--dataset", "scenes", "--format", "hf", "--split", "train=0.8,val=0.3",
                out.toString()), 2, "--split train=0.8,val=0.3", "sum to 1");
        assertOneLineError(export("--dataset", "scenes", "--format", "hf", "--split", "train:0.8",
                out.toString()), 2, "--split train:0.8", "NAME=FRACTION");
        assertOneLineError(export("--dataset", "scenes", "--format", "jsonl", "--split", "train=1",
                out.toString()), 2, "--split train=1 applies to --format hf");
        assertOneLineError(export("--dataset", "scenes", "--format", "hf", "--split-field", "metadata.split",
                out.toString()), 2, "--split-field metadata.split", "COLUMN:PATH");
        assertOneLineError(export("--dataset", "scenes", "--format", "hf", "--split-field", "image:split",
                out.toString()), 2, "--split-field image:split", "data. or metadata.");
        assertOneLineError(export("--query", query.toString(), "--format", "hf", "--split-field",
                "photo:metadata.split", out.toString()), 2, "'photo'", "image, label");
        assertOneLineError(export("--dataset", "scenes", "--format", "jsonl", "--embed-payloads", out.toString()),
                2, "--embed-payloads", "parquet or hf");
        assertOneLineError(export("--dataset", "scenes", "--format", "jsonl", "--image-column", "img",
                out.toString()), 2, "--image-column", "coco");
        assertOneLineError(export("--dataset", "scenes", "--format", "coco", "--image-column", "image",
                "--annotation-columns", "image", out.toString()), 2, "'image'", "both the image and an annotation");
        assertOneLineError(export("--dataset", "scenes", "--format", "jsonl", "--batch-size", "0", out.toString()),
                2, "--batch-size 0", "1 to 10000");
        assertOneLineError(export("--dataset", "scenes", "--format", "jsonl", "--payload-concurrency", "999",
                out.toString()), 2, "--payload-concurrency 999");
        assertOneLineError(export("--dataset", "scenes", "--format", "jsonl", "--limit", "3", out.toString()), 2,
                "--limit applies to --query");
        assertOneLineError(export("--dataset", "scenes", "--format", "jsonl", "--seed", "7", out.toString()), 2,
                "--seed 7");
        assertOneLineError(export("--dataset", "no such name", "--format", "jsonl", out.toString()), 2,
                "no such name");
        assertOneLineError(export("--query", temp.resolve("missing.json").toString(), "--format", "jsonl",
                out.toString()), 2, "--query " + temp.resolve("missing.json"), "no such file");
        cli.stdin = "[{\"column\": \"a\", \"strategy\": \"sometimes\"}]";
        assertOneLineError(export("--query", "-", "--format", "jsonl", out.toString()), 2, "sometimes");
        assertThat(out).doesNotExist();

        Path existing = Files.createDirectories(temp.resolve("existing"));
        Files.writeString(existing.resolve("keep.txt"), "mine");
        assertOneLineError(export("--dataset", "scenes", "--format", "jsonl", existing.toString()), 2,
                "OUT_DIR " + existing + " already exists");
        try (Stream<Path> left = Files.list(existing)) {
            assertThat(left).containsExactly(existing.resolve("keep.txt"));
        }
    }

    @Test
    void aQueryFileLargerThanACommandCanCarryIsRefusedBeforeItIsReadWhole() throws Exception {
        Path huge = temp.resolve("huge.json");
        try (java.io.RandomAccessFile file = new java.io.RandomAccessFile(huge.toFile(), "rw")) {
            file.setLength(3L << 30); // sparse: no disk used; reading it whole would need 3 GiB of heap
        }
        Path out = temp.resolve("out");

        assertOneLineError(export("--query", huge.toString(), "--format", "jsonl", out.toString()), 2,
                "--query " + huge, "more than 16777216 bytes");
        cli.stdin = "[{\"column\": \"a\"}]" + " ".repeat(16 << 20);
        assertOneLineError(export("--query", "-", "--format", "jsonl", out.toString()), 2, "standard input",
                "more than 16777216 bytes");
        assertThat(out).doesNotExist();
    }

    @Test
    void helpShowsTheFormatsAndExamples() {
        CliRunner.Result help = cli.runRaw("export", "--help");

        assertThat(help.code).isZero();
        assertThat(help.out).contains("jsonl, parquet, hf or coco", "--split", "--split-field", "--embed-payloads",
                "--image-column", "--annotation-columns", "--child-annotations", "--row-group-rows",
                "datalake export --dataset street-scenes@3 --format jsonl ./street-scenes-v3");
    }
}
