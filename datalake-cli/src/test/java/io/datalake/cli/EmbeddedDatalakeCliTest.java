package io.datalake.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.datalake.BlockingDatalake;
import io.datalake.DatalakeSettings;
import io.datalake.Datum;
import io.datalake.mongo.Datalakes;
import io.datalake.mongo.TestLakes;
import java.io.IOException;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.jgrapht.Graph;
import org.jgrapht.graph.DefaultDirectedGraph;
import org.jgrapht.graph.DefaultEdge;
import org.jgrapht.nio.dot.DOTImporter;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EmbeddedDatalakeCliTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String[] COMMANDS =
            {"demo", "add", "get", "children", "descendants", "lineage", "query", "import", "export", "stats",
                "dataset"};

    private final CliRunner cli = new CliRunner();
    private final List<AutoCloseable> toClose = new ArrayList<>();

    @TempDir
    Path temp;

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable c : toClose) {
            c.close();
        }
    }

    /** Opens the lake the CLI runner's commands use, to build fixtures and check results through the API. */
    private BlockingDatalake lake() {
        BlockingDatalake lake = Datalakes.create(DatalakeSettings.builder()
                .mongoUri(TestLakes.connectionString()).database(cli.database).build()).blocking();
        toClose.add(lake);
        return lake;
    }

    private static Map<String, Object> ordered(Object... keysAndValues) {
        Map<String, Object> map = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            map.put((String) keysAndValues[i], keysAndValues[i + 1]);
        }
        return map;
    }

    private static void assertOneLineError(CliRunner.Result result, int code, String... fragments) {
        assertThat(result.code).as(result.toString()).isEqualTo(code);
        assertThat(result.err.strip().lines()).as(result.toString()).hasSize(1);
        assertThat(result.err).contains(fragments).doesNotContain("\tat ");
    }

    @Test
    void helpListsEveryCommandAndEachCommandHasAnExample() {
        CliRunner.Result root = cli.runRaw("--help");
        assertThat(root.code).isZero();
        assertThat(root.out).contains("Examples:", "Exit codes", "DATALAKE_MONGO_URI").contains(COMMANDS);

        for (String command : COMMANDS) {
            CliRunner.Result help = cli.runRaw(command, "--help");
            assertThat(help.code).as(command).isZero();
            assertThat(help.out).as(command).contains("Usage: datalake " + command, "Examples:", "datalake " + command);
        }
    }

    @Test
    void noCommandIsAUsageError() {
        assertOneLineError(cli.runRaw(), 2, "missing command");
    }

    @Test
    void addPrintsTheIdAndGetPrintsTheDatum() throws IOException {
        CliRunner.Result added = cli.run("add", "{\"type\": \"image\", \"path\": \"cats/1.jpg\", \"size\": 3}",
                "--metadata", "{\"project\": \"cv\", \"taken\": {\"$date\": \"2024-05-01T12:00:00Z\"}}");
        assertThat(added.code).as(added.toString()).isZero();
        String id = added.out.strip();
        assertThat(id).matches("[0-9a-f]{24}");

        CliRunner.Result got = cli.run("get", id);
        assertThat(got.code).as(got.toString()).isZero();
        JsonNode datum = JSON.readTree(got.out);
        assertThat(datum.get("id").asText()).isEqualTo(id);
        assertThat(datum.get("data").get("type").asText()).isEqualTo("image");
        assertThat(datum.get("data").get("size").asInt()).isEqualTo(3);
        assertThat(datum.get("metadata").get("project").asText()).isEqualTo("cv");
        assertThat(datum.get("metadata").get("taken").asText()).isEqualTo("2024-05-01T12:00:00Z");
        assertThat(datum.get("derived_from").isNull()).isTrue();
        assertThat(lake().getDatum(new org.bson.types.ObjectId(id)).data())
                .isEqualTo(Map.of("type", "image", "path", "cats/1.jpg", "size", 3));
    }

    @Test
    void addReadsDataFromStandardInputAndLinksToAParent() {
        String parent = cli.run("add", "{\"type\": \"image\"}").out.strip();
        cli.stdin = "{\"type\": \"classification\", \"label\": \"cat\"}";
        CliRunner.Result child = cli.run("add", "-", "--derived-from", parent, "--json");

        assertThat(child.code).as(child.toString()).isZero();
        assertThat(child.out).contains("\"derived_from\" : \"" + parent + "\"", "\"label\" : \"cat\"");
    }

    @Test
    void childrenAndDescendantsPrintOneIdPerLine() {
        BlockingDatalake lake = lake();
        Datum image = lake.addDatum(Map.of("type", "image"), null);
        Datum label = lake.addDatum(Map.of("type", "classification"), null, null, image.id());
        Datum other = lake.addDatum(Map.of("type", "classification"), null, null, image.id());
        Datum box = lake.addDatum(Map.of("type", "bbox"), null, null, label.id());

        CliRunner.Result children = cli.run("children", image.id().toHexString());
        assertThat(children.code).isZero();
        assertThat(children.out.lines()).containsExactly(label.id().toHexString(), other.id().toHexString());

        CliRunner.Result descendants = cli.run("descendants", image.id().toHexString());
        assertThat(descendants.out.lines())
                .containsExactly(label.id().toHexString(), other.id().toHexString(), box.id().toHexString());
        assertThat(cli.run("descendants", image.id().toHexString(), "--include-self").out.lines())
                .startsWith(image.id().toHexString()).hasSize(4);
        assertThat(cli.run("children", box.id().toHexString()).out).isEmpty();
        assertThat(cli.run("children", image.id().toHexString(), "--json").out.strip())
                .isEqualTo("[\"" + label.id() + "\",\"" + other.id() + "\"]");
    }

    @Test
    void badJsonIsAUsageErrorWithAOneLineMessage() {
        assertOneLineError(cli.run("add", "{\"type\": "), 2, "invalid JSON in DATA");
        assertOneLineError(cli.run("add", "{}", "--metadata", "[1, 2]"), 2, "--metadata must be a JSON object");
        assertOneLineError(cli.run("add", "{\"a\": 1} trailing"), 2, "invalid JSON in DATA");
        assertThat(cli.run("add", "{\"type\": ").out).isEmpty();
    }

    @Test
    void unknownIdsAreRuntimeFailuresAndMalformedIdsUsageErrors() {
        String unknown = new org.bson.types.ObjectId().toHexString();
        assertOneLineError(cli.run("get", unknown), 1, "no datum with id " + unknown);
        assertOneLineError(cli.run("lineage", unknown), 1, unknown);
        assertOneLineError(cli.run("get", "not-an-id"), 2, "'not-an-id' is not a datum id");
        assertOneLineError(cli.run("add", "{}", "--derived-from", unknown), 1, unknown);
        assertOneLineError(cli.run("get", unknown, "--no-such-option"), 2, "--no-such-option");
    }

    @Test
    void verbosePrintsTheStackTrace() {
        String unknown = new org.bson.types.ObjectId().toHexString();
        CliRunner.Result result = cli.run("get", unknown, "--verbose");
        assertThat(result.code).isEqualTo(1);
        assertThat(result.err).contains("DatumNotFoundException", "\tat ");
    }

    @Test
    void connectionComesFromTheEnvironmentWhenNoOptionIsGiven() {
        cli.env.put("DATALAKE_MONGO_URI", TestLakes.connectionString());
        cli.env.put("DATALAKE_DATABASE", cli.database);
        CliRunner.Result added = cli.runRaw("add", "{\"via\": \"env\"}");
        assertThat(added.code).as(added.toString()).isZero();
        assertThat(added.err).doesNotContain("embedded");

        assertThat(lake().getDatum(new org.bson.types.ObjectId(added.out.strip())).data())
                .isEqualTo(Map.of("via", "env"));
        assertOneLineError(cli.runRaw("stats", "--mongo-uri", "http://nope"), 2, "mongoUri must start with");
    }

    @Test
    void lineageTreeShowsAncestorsAndDescendantsReadably() {
        BlockingDatalake lake = lake();
        Datum image = lake.addDatum(ordered("type", "image", "path", "cats/1.jpg"), null);
        Datum label = lake.addDatum(ordered("type", "classification", "label", "cat"), null, null, image.id());
        Datum box = lake.addDatum(ordered("type", "bbox", "x", 1), null, null, label.id());

        CliRunner.Result tree = cli.run("lineage", label.id().toHexString());

        assertThat(tree.code).as(tree.toString()).isZero();
        List<String> lines = tree.out.lines().collect(Collectors.toList());
        assertThat(lines).hasSize(3);
        assertThat(lines.get(0)).startsWith(image.id().toHexString()).contains("image path=cats/1.jpg");
        assertThat(lines.get(1)).startsWith("\u2514\u2500\u2500 " + label.id()).contains("classification label=cat")
                .endsWith("<- start");
        assertThat(lines.get(2)).startsWith("    \u2514\u2500\u2500 " + box.id()).contains("bbox x=1");

        CliRunner.Result up = cli.run("lineage", box.id().toHexString(), "--up", "--depth", "1");
        assertThat(up.out.lines()).hasSize(3);
        assertThat(up.out).contains("more datums lie beyond depth 1");
    }

    @Test
    void lineageDotParsesAsAGraphWhoseEdgesMatchTheLake() {
        BlockingDatalake lake = lake();
        Datum image = lake.addDatum(ordered("type", "image", "note", "a \"quoted\" \\ name"), null);
        List<Datum> labels = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            labels.add(lake.addDatum(ordered("type", "classification", "i", i), null, null, image.id()));
        }
        Datum box = lake.addDatum(ordered("type", "bbox"), null, null, labels.get(1).id());

        CliRunner.Result dot = cli.run("lineage", image.id().toHexString(), "--format", "dot");
        assertThat(dot.code).as(dot.toString()).isZero();

        Graph<String, DefaultEdge> graph = new DefaultDirectedGraph<>(DefaultEdge.class);
        DOTImporter<String, DefaultEdge> importer = new DOTImporter<>();
        importer.setVertexFactory(id -> id);
        importer.importGraph(graph, new StringReader(dot.out));

        Set<String> expectedEdges = new HashSet<>();
        for (Datum label : labels) {
            expectedEdges.add(image.id() + "->" + label.id());
        }
        expectedEdges.add(labels.get(1).id() + "->" + box.id());
        Set<String> edges = graph.edgeSet().stream()
                .map(e -> graph.getEdgeSource(e) + "->" + graph.getEdgeTarget(e))
                .collect(Collectors.toSet());
        assertThat(edges).isEqualTo(expectedEdges);
        assertThat(graph.vertexSet()).hasSize(5);
    }

    @Test
    void lineageJsonAndMermaidDescribeTheSameGraph() throws IOException {
        BlockingDatalake lake = lake();
        Datum image = lake.addDatum(ordered("type", "image"), null);
        Datum label = lake.addDatum(ordered("type", "classification", "label", "<cat>"), null, null, image.id());

        JsonNode json = JSON.readTree(cli.run("lineage", image.id().toHexString(), "--format", "json").out);
        assertThat(json.get("start").asText()).isEqualTo(image.id().toHexString());
        assertThat(json.get("nodes")).hasSize(2);
        assertThat(json.get("nodes").get(1).get("depth").asInt()).isEqualTo(1);
        assertThat(json.get("nodes").get(1).get("type").asText()).isEqualTo("classification");
        assertThat(json.get("edges").get(0).get("parent").asText()).isEqualTo(image.id().toHexString());
        assertThat(json.get("edges").get(0).get("child").asText()).isEqualTo(label.id().toHexString());
        assertThat(json.get("truncated").asBoolean()).isFalse();

        CliRunner.Result mermaid = cli.run("lineage", image.id().toHexString(), "--format", "MERMAID");
        assertThat(mermaid.out.lines()).contains("flowchart TD", "  n0 --> n1");
        assertThat(mermaid.out).contains("#lt;cat#gt;").doesNotContain("<cat>");
    }

    @Test
    void lineageReportsTruncationOnStderrForMachineFormats() {
        BlockingDatalake lake = lake();
        Datum image = lake.addDatum(ordered("type", "image"), null);
        for (int i = 0; i < 4; i++) {
            lake.addDatum(ordered("i", i), null, null, image.id());
        }
        CliRunner.Result dot = cli.run("lineage", image.id().toHexString(), "--format", "dot", "--max-nodes", "3");
        assertThat(dot.code).isZero();
        assertThat(dot.err).contains("truncated at 3 datums");
        assertThat(dot.out).doesNotContain("truncated");
        assertOneLineError(cli.run("lineage", image.id().toHexString(), "--depth", "-1"), 2, "--depth");
        assertOneLineError(cli.run("lineage", image.id().toHexString(), "--format", "png"), 2, "png");
    }

    @Test
    void statsCountsDatumsRootsChainsAndTypes() throws IOException {
        BlockingDatalake lake = lake();
        Datum image = lake.addDatum(ordered("type", "image"), null);
        lake.addDatum(ordered("type", "image"), null);
        Datum label = lake.addDatum(ordered("type", "classification"), null, null, image.id());
        lake.addDatum(ordered("x", 1), null, null, label.id());

        CliRunner.Result text = cli.run("stats");
        assertThat(text.code).as(text.toString()).isZero();
        assertThat(text.out).contains("datums         4", "roots          2", "deepest chain  3 datums");
        assertThat(text.out).containsPattern("image +2").containsPattern("classification +1")
                .containsPattern("\\(no type\\) +1");

        JsonNode json = JSON.readTree(cli.run("stats", "--json").out);
        assertThat(json.get("datums").asLong()).isEqualTo(4);
        assertThat(json.get("deepest_chain").asInt()).isEqualTo(3);
        assertThat(json.get("counts_by_type").get("image").asLong()).isEqualTo(2);
        assertThat(json.get("untyped").asLong()).isEqualTo(1);
    }

    @Test
    void importStoresEveryFileOnceAndDeduplicatesIdenticalContent() throws IOException {
        Path dir = temp.resolve("photos");
        Files.createDirectories(dir.resolve("a/b"));
        Files.writeString(dir.resolve("one.txt"), "first");
        Files.writeString(dir.resolve("a/two.txt"), "second");
        Files.writeString(dir.resolve("a/b/three.txt"), "third");
        Files.writeString(dir.resolve("a/b/copy-of-one.txt"), "first");
        Path registry = temp.resolve("registry");

        CliRunner.Result result = cli.run("import", dir.toString(), "--registry", registry.toString(),
                "--metadata", "{\"type\": \"document\"}", "--json");

        assertThat(result.code).as(result.toString()).isZero();
        JsonNode imported = JSON.readTree(result.out);
        assertThat(imported).hasSize(4);
        Set<String> paths = new HashSet<>();
        imported.forEach(entry -> paths.add(entry.get("path").asText()));
        assertThat(paths).containsExactlyInAnyOrder("one.txt", "a/two.txt", "a/b/three.txt", "a/b/copy-of-one.txt");
        assertThat(result.err).contains("imported 4/4 files");
        try (Stream<Path> stored = Files.walk(registry)) {
            assertThat(stored.filter(Files::isRegularFile).count()).isEqualTo(3);
        }

        JsonNode stats = JSON.readTree(cli.run("stats", "--json").out);
        assertThat(stats.get("datums").asLong()).isEqualTo(4);
        assertThat(stats.get("registry_datums").asLong()).isEqualTo(4);
        assertThat(stats.get("registry_objects").asLong()).isEqualTo(3);
        assertThat(stats.get("registry_bytes").asLong()).isEqualTo("first".length() + "second".length()
                + "third".length());
        assertThat(stats.get("counts_by_type").get("document").asLong()).isEqualTo(4);

        String twoId = null;
        for (JsonNode entry : imported) {
            if (entry.get("path").asText().equals("a/two.txt")) {
                twoId = entry.get("id").asText();
            }
        }
        Path out = temp.resolve("two-back.txt");
        // Reads open only allowed registries: the command names the one the import wrote to.
        CliRunner.Result got = cli.run("get", twoId, "--payload-out", out.toString(), "--registry",
                registry.toString());
        assertThat(got.code).as(got.toString()).isZero();
        assertThat(Files.readString(out)).isEqualTo("second");
        JsonNode described = JSON.readTree(cli.run("get", twoId).out);
        assertThat(described.get("payload").get("size").asLong()).isEqualTo(6);
        assertThat(described.get("metadata").get("path").asText()).isEqualTo("a/two.txt");
    }

    @Test
    void payloadsNeedARegistry() throws IOException {
        Path file = Files.writeString(temp.resolve("x.bin"), "x");
        assertOneLineError(cli.run("add", "--payload", file.toString()), 2, "DATALAKE_REGISTRY");
        assertOneLineError(cli.run("import", temp.toString()), 2, "DATALAKE_REGISTRY");
        assertOneLineError(cli.run("import", temp.resolve("nope").toString()), 2, "not a directory");

        cli.env.put("DATALAKE_REGISTRY", temp.resolve("reg").toUri().toString());
        CliRunner.Result added = cli.run("add", "--payload", file.toString(), "--metadata", "{\"type\": \"blob\"}");
        assertThat(added.code).as(added.toString()).isZero();
        CliRunner.Result stdout = cli.run("get", added.out.strip(), "--payload-out", "-");
        assertThat(stdout.out).isEqualTo("x");
    }

    private BlockingDatalake pipelineLake() {
        BlockingDatalake lake = lake();
        for (int i = 0; i < 3; i++) {
            Datum image = lake.addDatum(ordered("type", "image", "i", i), null);
            if (i < 2) {
                lake.addDatum(ordered("type", "classification", "label", "cat" + i), null, null, image.id());
            }
        }
        return lake;
    }

    private static final String LABELLED = "[{\"data.type\": \"image\", \"column\": \"image\", \"strategy\": \"earliest\"},"
            + " {\"data.type\": \"classification\", \"derived_from\": \"image\", \"column\": \"label\"}]";

    @Test
    void queryPrintsRowsInEachFormat() throws IOException {
        pipelineLake();

        CliRunner.Result table = cli.run("query", LABELLED);
        assertThat(table.code).as(table.toString()).isZero();
        List<String> lines = table.out.lines().collect(Collectors.toList());
        assertThat(lines.get(0)).startsWith("image").contains("label");
        assertThat(lines).hasSize(4).last().isEqualTo("(2 rows)");

        JsonNode json = JSON.readTree(cli.run("query", LABELLED, "--format", "json").out);
        assertThat(json).hasSize(2);
        assertThat(json.get(0).fieldNames()).toIterable().containsExactly("image", "label");

        assertThat(cli.run("query", LABELLED, "--format", "jsonl", "--limit", "1").out.lines()).hasSize(1);
        List<String> csv = cli.run("query", LABELLED, "--format", "csv").out.lines().collect(Collectors.toList());
        assertThat(csv).hasSize(3).first().isEqualTo("image,label");
        assertThat(csv.get(1)).matches("[0-9a-f]{24},[0-9a-f]{24}");

        JsonNode empty = JSON.readTree(cli.run("query",
                "[{\"data.type\": \"nothing\", \"column\": \"x\"}]", "--format", "json").out);
        assertThat(empty).isEmpty();
    }

    @Test
    void queryReadsFilesAndStdinTransposesAndExplains() throws IOException {
        pipelineLake();
        Path file = Files.writeString(temp.resolve("q.json"), LABELLED);

        JsonNode transposed = JSON.readTree(
                cli.run("query", "--file", file.toString(), "--transpose", "--format", "json").out);
        assertThat(transposed.get("image")).hasSize(2);
        assertThat(transposed.get("label")).hasSize(2);

        cli.stdin = "[{\"data.type\": \"image\", \"column\": \"image\"},"
                + " {\"data.type\": \"classification\", \"derived_from\": \"image\", \"column\": \"label\","
                + " \"strategy\": \"missing\"}]";
        CliRunner.Result missing = cli.run("query", "--format", "jsonl");
        assertThat(missing.code).as(missing.toString()).isZero();
        assertThat(missing.out.lines()).hasSize(1).first().asString().contains("\"image\"").doesNotContain("label");

        CliRunner.Result explain = cli.run("query", LABELLED, "--explain");
        assertThat(explain.code).as(explain.toString()).isZero();
        assertThat(explain.out).contains("level 0", "level 1", "derived_from=image", "join=");
    }

    @Test
    void invalidQueriesExitWithTwoAndNameTheProblem() {
        assertOneLineError(cli.run("query", "[{\"column\": \"a\"}, {\"column\": \"b\"}]"), 2, "derived_from");
        assertOneLineError(cli.run("query", "[{\"column\": \"a\""), 2, "JSON");
        assertOneLineError(cli.run("query", "[{\"column\": \"a\", \"strategy\": \"sometimes\"}]"), 2, "sometimes");
        assertOneLineError(cli.run("query", "[{\"column\": \"a\"}]", "--limit", "0"), 2, "--limit must be 1 or more");
        cli.stdin = "";
        assertOneLineError(cli.run("query"), 2, "no query");
    }

    @Test
    void demoRunsEveryStepAndSaysWhatEachShows() {
        // The export folder outlives the demo: keep it in the test's folder.
        CliRunner.Result demo = cli.runRaw("demo", "--export-dir", temp.resolve("demo-hf").toString());

        assertThat(demo.code).as(demo.toString()).isZero();
        assertThat(demo.out).contains(
                "1. Images: 12 PNG files",
                "11 objects",
                "2. Classifying with resnet-v1",
                "8 classifications added; 4 images stay unclassified",
                "3. Re-labelling cam-1",
                "4. Detecting boxes",
                "5. 3-level query",
                "6. 'earliest' query",
                "7. 'missing' query",
                "8. Transposed result",
                "9. Lineage of cam-1/img_000.png",
                "shows: 6 rows",
                "shows: 8 rows",
                "shows: 4 rows",
                "10. Freezing the labelled images",
                "version 1: 8 rows",
                "4 new classifications",
                "version 2: 12 rows",
                "4 rows added, 0 removed",
                "11. Exporting labelled-images@2 for training in the Hugging Face datasets layout",
                "done in");
        assertThat(demo.out).contains("tabby cat").contains("| cam-2/img_011.png |");
        assertThat(demo.err).isEmpty();
    }

    @Test
    void demoRefusesToWriteIntoANonEmptyDatabase() {
        lake().addDatum(Map.of("precious", true), null);
        assertOneLineError(cli.run("demo", "--registry", temp.resolve("reg").toString()), 2,
                "demo needs an empty lake");
    }
}
