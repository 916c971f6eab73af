package io.datalake.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.datalake.BlockingDatalake;
import io.datalake.DatalakeSettings;
import io.datalake.Datum;
import io.datalake.mongo.Datalakes;
import io.datalake.mongo.TestLakes;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code datalake schema}: add, list, show, check, and validation of {@code add} against a registered schema. */
class EmbeddedSchemaCliTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String IMAGE_SCHEMA = """
            {"properties": {"data": {"required": ["width"], "properties": {"width": {"type": "integer"}}},
                            "metadata": {"required": ["project"]}}}""";

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

    private BlockingDatalake lake() {
        BlockingDatalake lake = Datalakes.create(DatalakeSettings.builder()
                .mongoUri(TestLakes.connectionString()).database(cli.database).build()).blocking();
        toClose.add(lake);
        return lake;
    }

    private Path file(String name, String text) throws Exception {
        Path path = temp.resolve(name);
        Files.writeString(path, text, StandardCharsets.UTF_8);
        return path;
    }

    @Test
    void addListAndShowKeepEveryVersionAsRegistered() throws Exception {
        CliRunner.Result first = cli.run("schema", "add", "image", file("v1.json", IMAGE_SCHEMA).toString());
        String v2 = "{\"properties\": {\"data\": {\"required\": [\"height\"]}}}";
        cli.stdin = v2;
        CliRunner.Result second = cli.run("schema", "add", "image", "-");
        cli.stdin = "";
        cli.run("schema", "add", "bbox", file("bbox.json", "true").toString());

        assertThat(first.code).as(first.toString()).isZero();
        assertThat(first.out.strip()).isEqualTo("image@1");
        assertThat(second.out.strip()).isEqualTo("image@2");

        CliRunner.Result list = cli.run("schema", "list", "--format", "jsonl");
        assertThat(list.code).as(list.toString()).isZero();
        List<JsonNode> rows = list.out.strip().lines().map(EmbeddedSchemaCliTest::parse).toList();
        assertThat(rows).extracting(r -> r.get("kind").asText() + "@" + r.get("version").asInt())
                .containsExactly("bbox@1", "image@2");

        CliRunner.Result table = cli.run("schema", "list");
        assertThat(table.out).contains("image", "(2 rows)");

        assertThat(cli.run("schema", "show", "image@1").out.strip()).isEqualTo(IMAGE_SCHEMA);
        assertThat(cli.run("schema", "show", "image").out.strip()).isEqualTo(v2);
        JsonNode shown = parse(cli.run("schema", "show", "image@1", "--json").out);
        assertThat(shown.get("version").asInt()).isEqualTo(1);
        assertThat(shown.get("schema").get("properties").has("metadata")).isTrue();
    }

    @Test
    void anInvalidSchemaIsRefusedWithExit2AndNothingIsStored() throws Exception {
        CliRunner.Result result = cli.run("schema", "add", "image", file("bad.json", "{\"type\": 5}").toString());

        assertThat(result.code).as(result.toString()).isEqualTo(2);
        assertThat(result.err).contains("invalid JSON Schema for kind 'image'").doesNotContain("\tat ");
        CliRunner.Result list = cli.run("schema", "list", "--format", "json");
        assertThat(parse(list.out)).isEmpty();
    }

    @Test
    void unknownKindsVersionsAndFilesAreClearErrors() {
        CliRunner.Result unknown = cli.run("schema", "show", "image");
        assertThat(unknown.code).as(unknown.toString()).isEqualTo(1);
        assertThat(unknown.err).contains("no schema is registered for kind 'image'");

        CliRunner.Result badVersion = cli.run("schema", "show", "image@0");
        assertThat(badVersion.code).as(badVersion.toString()).isEqualTo(2);

        CliRunner.Result missingFile = cli.run("schema", "add", "image", temp.resolve("nope.json").toString());
        assertThat(missingFile.code).as(missingFile.toString()).isEqualTo(2);
        assertThat(missingFile.err).contains("nope.json");
    }

    @Test
    void addOfADatumThatViolatesItsSchemaFailsNamingThePointerAndRule() throws Exception {
        cli.run("schema", "add", "image", file("v1.json", IMAGE_SCHEMA).toString());

        CliRunner.Result result = cli.run("add", "{\"type\": \"image\", \"width\": 3}");

        assertThat(result.code).as(result.toString()).isEqualTo(2);
        assertThat(result.err).contains("/metadata/project").contains("required").contains("'image'");
        assertThat(lake().getStats().datums()).isZero();
    }

    @Test
    void checkPrintsOneRowPerViolationAndExits1UntilTheDatumsAreClean() throws Exception {
        BlockingDatalake lake = lake();
        Datum noWidth = lake.addDatum(Map.of("type", "image"), Map.of("project", "cv"));
        Datum both = lake.addDatum(Map.of("type", "image", "width", "wide"), Map.of());
        lake.addDatum(Map.of("type", "image", "width", 4), Map.of("project", "cv"));
        cli.run("schema", "add", "image", file("v1.json", IMAGE_SCHEMA).toString());

        CliRunner.Result jsonl = cli.run("schema", "check", "image", "--format", "jsonl");

        assertThat(jsonl.code).as(jsonl.toString()).isEqualTo(1);
        List<JsonNode> rows = jsonl.out.strip().lines().map(EmbeddedSchemaCliTest::parse).toList();
        assertThat(rows).extracting(r -> r.get("datum").asText() + " " + r.get("pointer").asText() + " "
                + r.get("rule").asText())
                .containsExactlyInAnyOrder(noWidth.id().toHexString() + " /data/width required",
                        both.id().toHexString() + " /data/width type",
                        both.id().toHexString() + " /metadata/project required");
        assertThat(jsonl.err).contains("checked 3 datums of kind 'image': 2 violate its schema");

        CliRunner.Result csv = cli.run("schema", "check", "image", "--format", "csv");
        assertThat(csv.out.lines().findFirst()).contains("datum,version,pointer,rule,message");
        assertThat(csv.out.lines().count()).isEqualTo(4);

        cli.run("schema", "add", "image", file("v2.json", "{\"properties\": {\"data\": {\"required\": [\"type\"]}}}")
                .toString());
        CliRunner.Result clean = cli.run("schema", "check", "image");
        assertThat(clean.code).as(clean.toString()).isZero();
        assertThat(clean.out).contains("(0 rows)");
    }

    private static JsonNode parse(String text) {
        try {
            return JSON.readTree(text);
        } catch (Exception e) {
            throw new AssertionError("not JSON: " + text, e);
        }
    }
}
