package io.datalake.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.datalake.BlockingDatalake;
import io.datalake.DatalakeSettings;
import io.datalake.Datum;
import io.datalake.dataset.DatasetSource;
import io.datalake.dataset.VersionInfo;
import io.datalake.mongo.Datalakes;
import io.datalake.mongo.TestLakes;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.bson.types.ObjectId;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code datalake dataset}: write-audit-publish from the command line, and its refusals. */
class EmbeddedDatasetCliTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String LABELLED = "[{\"data.type\": \"image\", \"column\": \"image\", \"strategy\": "
            + "\"earliest\"}, {\"data.type\": \"label\", \"derived_from\": \"image\", \"column\": \"label\"}]";
    private static final Pattern DRAFT = Pattern.compile("draft (street-scenes@[0-9a-f]{24}) ");

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

    private static void assertOneLineError(CliRunner.Result result, int code, String... fragments) {
        assertThat(result.code).as(result.toString()).isEqualTo(code);
        assertThat(result.err.strip().lines()).as(result.toString()).hasSize(1);
        assertThat(result.err).contains(fragments).doesNotContain("\tat ");
    }

    private List<Datum> labelImages(BlockingDatalake lake, int from, int to) {
        List<Datum> images = new ArrayList<>();
        for (int i = from; i < to; i++) {
            Datum image = lake.addDatum(Map.of("type", "image", "n", i), null);
            lake.addDatum(Map.of("type", "label", "label", "cat"), null, null, image.id());
            images.add(image);
        }
        return images;
    }

    private String createDraft(Path query) {
        CliRunner.Result created = cli.run("dataset", "create", "street-scenes", "--query", query.toString(),
                "--description", "cats");
        assertThat(created.code).as(created.toString()).isZero();
        Matcher m = DRAFT.matcher(created.out);
        assertThat(m.find()).as(created.toString()).isTrue();
        return m.group(1);
    }

    @Test
    void createAuditPublishShowRowsDiffRoundTrip() throws Exception {
        BlockingDatalake lake = lake();
        List<Datum> first = labelImages(lake, 0, 3);
        Path query = Files.writeString(temp.resolve("q.json"), LABELLED);

        String draft = createDraft(query);
        assertThat(cli.run("dataset", "create", "street-scenes", "--query", query.toString()).out)
                .contains("3 rows");
        CliRunner.Result audit = cli.run("dataset", "audit", draft);
        assertThat(audit.code).as(audit.toString()).isZero();
        assertThat(audit.out).contains(draft + ": passed");
        CliRunner.Result published = cli.run("dataset", "publish", draft);
        assertThat(published.code).as(published.toString()).isZero();
        assertThat(published.out).startsWith("published street-scenes@1 ");

        CliRunner.Result show = cli.run("dataset", "show", "street-scenes", "--json");
        assertThat(show.code).as(show.toString()).isZero();
        JsonNode version = JSON.readTree(show.out);
        assertThat(version.get("version").asInt()).isEqualTo(1);
        assertThat(version.get("state").asText()).isEqualTo("published");
        assertThat(version.get("rows").asLong()).isEqualTo(3);
        assertThat(version.get("audit").get("passed").asBoolean()).isTrue();

        CliRunner.Result rows = cli.run("dataset", "rows", "street-scenes@1", "--format", "jsonl");
        assertThat(rows.code).as(rows.toString()).isZero();
        List<String> images = new ArrayList<>();
        for (String line : rows.out.strip().split("\n")) {
            images.add(JSON.readTree(line).get("image").asText());
        }
        assertThat(images).containsExactlyInAnyOrderElementsOf(
                first.stream().map(d -> d.id().toHexString()).toList());
        assertThat(cli.run("dataset", "rows", "street-scenes", "--format", "csv", "--limit", "2").out.lines())
                .hasSize(3).first().isEqualTo("row,image,label");

        // New labels arrive: version 2 has one more row, and the diff shows exactly it.
        Datum added = labelImages(lake, 3, 4).get(0);
        String second = createDraft(query);
        assertThat(cli.run("dataset", "audit", second).code).isZero();
        assertThat(cli.run("dataset", "publish", second).out).startsWith("published street-scenes@2 ");
        CliRunner.Result diff = cli.run("dataset", "diff", "street-scenes@1", "street-scenes@2", "--format", "jsonl");
        assertThat(diff.code).as(diff.toString()).isZero();
        assertThat(diff.out.strip().lines()).hasSize(1);
        JsonNode entry = JSON.readTree(diff.out);
        assertThat(entry.get("change").asText()).isEqualTo("added");
        assertThat(entry.get("image").asText()).isEqualTo(added.id().toHexString());
        assertThat(cli.run("dataset", "diff", "street-scenes@1", "street-scenes@2").out)
                .contains("(1 added, 0 removed)");

        CliRunner.Result tag = cli.run("dataset", "tag", "street-scenes@1", "prod");
        assertThat(tag.code).as(tag.toString()).isZero();
        assertThat(JSON.readTree(cli.run("dataset", "show", "street-scenes@prod", "--json").out)
                .get("version").asInt()).isEqualTo(1);
        CliRunner.Result list = cli.run("dataset", "list");
        assertThat(list.out).contains("street-scenes").contains("latest=2").contains("prod=1").contains("cats");
    }

    @Test
    void failingAuditExitsOneAndUnauditedDraftIsNotPublished() throws Exception {
        BlockingDatalake lake = lake();
        ObjectId image = labelImages(lake, 0, 1).get(0).id();
        // A duplicate row fails the built-in checks.
        VersionInfo bad = lake.reactive().datasets()
                .createDraft("dupes", DatasetSource.ids("image", List.of(image, image))).block();
        String badRef = "dupes@" + bad.id().toHexString();
        CliRunner.Result audit = cli.run("dataset", "audit", badRef);
        assertThat(audit.code).as(audit.toString()).isEqualTo(1);
        assertThat(audit.out).contains(badRef + ": FAILED").contains("FAILED");
        CliRunner.Result refused = cli.run("dataset", "publish", badRef);
        assertOneLineError(refused, 1, bad.id().toHexString(), "audit");

        String draft = createDraft(Files.writeString(temp.resolve("q.json"), LABELLED));
        CliRunner.Result unaudited = cli.run("dataset", "publish", draft);
        assertOneLineError(unaudited, 1, draft.substring(draft.indexOf('@') + 1), "never audited");
        assertThat(cli.run("dataset", "show", "street-scenes").code).isEqualTo(1);
    }

    @Test
    void badNamesAndRefsAreUsageErrors() throws Exception {
        Path query = Files.writeString(temp.resolve("q.json"), LABELLED);
        assertOneLineError(cli.run("dataset", "create", "Street Scenes", "--query", query.toString()), 2,
                "Street Scenes");
        assertOneLineError(cli.run("dataset", "show", "bad/name@1"), 2, "bad/name");
        assertOneLineError(cli.run("dataset", "audit", "street-scenes@nothex"), 2, "nothex");
        assertOneLineError(cli.run("dataset", "tag", "street-scenes@prod", "live"), 2, "street-scenes@prod");
        assertOneLineError(cli.run("dataset", "create", "ok", "--query", temp.resolve("missing.json").toString()),
                2, "missing.json");
    }

    @Test
    void helpExamplesAreNeverWrapped() {
        cli.env.put("COLUMNS", "40");
        CliRunner.Result help = cli.runRaw("dataset", "--help");
        assertThat(help.code).isZero();
        assertThat(help.out).contains("  datalake dataset create street-scenes --query labelled.json --limit 1000 --seed 7\n");
    }
}
