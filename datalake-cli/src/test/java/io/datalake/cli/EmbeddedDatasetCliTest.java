package io.datalake.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.datalake.BlockingDatalake;
import io.datalake.Datalake;
import io.datalake.DatalakeSettings;
import io.datalake.Datum;
import io.datalake.NewDatum;
import io.datalake.cli.internal.CliContext;
import io.datalake.cli.internal.RootCommand;
import io.datalake.dataset.AuditOptions;
import io.datalake.dataset.Datasets;
import io.datalake.dataset.DatasetSource;
import io.datalake.dataset.VersionInfo;
import io.datalake.dataset.VersionNotFoundException;
import io.datalake.mongo.Datalakes;
import io.datalake.mongo.TestLakes;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;
import org.bson.types.ObjectId;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import reactor.core.publisher.Flux;

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

    /** Runs a command as if standard error were a terminal, which {@link CliRunner} (like any pipe) is not. */
    private CliRunner.Result runOnTerminal(String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("--mongo-uri", TestLakes.connectionString(), "--database", cli.database));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code;
        try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
                PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
            code = new CommandLine(new RootCommand(new CliContext(Map.of(), new ByteArrayInputStream(new byte[0]),
                    o, e, true, true))).execute(all.toArray(new String[0]));
        }
        return new CliRunner.Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private static List<JsonNode> jsonLines(CliRunner.Result result) throws Exception {
        assertThat(result.code).as(result.toString()).isZero();
        List<JsonNode> nodes = new ArrayList<>();
        for (String line : result.out.strip().lines().toList()) {
            nodes.add(JSON.readTree(line));
        }
        return nodes;
    }

    private static VersionInfo publish(Datasets ds, String name, List<ObjectId> ids) {
        VersionInfo draft = ds.createDraft(name, DatasetSource.ids("image", ids)).block();
        ds.audit(draft.id(), AuditOptions.defaults(), List.of()).block();
        return ds.publish(draft.id()).block();
    }

    @Test
    void draftsListsDiscardRemovesAndGcCollectsDrafts() throws Exception {
        BlockingDatalake lake = lake();
        Datasets ds = lake.reactive().datasets();
        List<ObjectId> images = labelImages(lake, 0, 2).stream().map(Datum::id).toList();
        String created = createDraft(Files.writeString(temp.resolve("q.json"), LABELLED));
        ObjectId first = new ObjectId(created.substring(created.indexOf('@') + 1));
        VersionInfo audited = ds.createDraft("other", DatasetSource.ids("image", images)).block();
        ds.audit(audited.id(), AuditOptions.defaults(), List.of()).block();

        List<JsonNode> drafts = jsonLines(cli.run("dataset", "drafts", "--format", "jsonl"));
        assertThat(drafts).extracting(d -> d.get("id").asText() + " " + d.get("dataset").asText() + " "
                + d.get("complete").asBoolean() + " " + d.get("rows").asLong() + " " + d.get("audited").asText())
                .containsExactly(first.toHexString() + " street-scenes true 2 no",
                        audited.id().toHexString() + " other true 2 passed");
        assertThat(drafts.get(0).get("started").asText()).isEqualTo(ds.version(first).block().createdAt().toString());
        CliRunner.Result table = cli.run("dataset", "drafts");
        assertThat(table.out.lines().findFirst().orElseThrow()).startsWith("id").contains("dataset", "started",
                "complete", "rows", "audited");
        assertThat(table.out).contains(first.toHexString()).contains("(2 rows)");
        assertThat(cli.run("dataset", "drafts", "--older-than", "1h", "--format", "jsonl").out).isEmpty();
        assertOneLineError(cli.run("dataset", "drafts", "--older-than", "soon"), 2, "'soon'", "24h");
        assertOneLineError(cli.run("dataset", "gc", "--older-than", "-5m"), 2, "'-5m'");

        // A dry run lists what would go and changes nothing; the default age (24h) spares fresh drafts.
        CliRunner.Result dry = cli.run("dataset", "gc", "--older-than", "0", "--dry-run", "--format", "csv");
        assertThat(dry.code).as(dry.toString()).isZero();
        assertThat(dry.out.lines().toList()).hasSize(3).first().isEqualTo("id,dataset,started,complete,rows,audited");
        assertThat(cli.run("dataset", "gc", "--older-than", "PT0S", "--dry-run").out)
                .contains("(2 drafts older than PT0S would be discarded; nothing changed)");
        CliRunner.Result spared = cli.run("dataset", "gc");
        assertThat(spared.out).as(spared.toString()).contains("(0 drafts older than 24h discarded)");
        assertThat(jsonLines(cli.run("dataset", "drafts", "--format", "jsonl"))).hasSize(2);

        assertOneLineError(cli.run("dataset", "discard", "other@" + first.toHexString()), 2, "street-scenes");
        assertOneLineError(cli.run("dataset", "discard", "nothex"), 2, "'nothex'");
        CliRunner.Result discarded = cli.run("dataset", "discard", first.toHexString());
        assertThat(discarded.code).as(discarded.toString()).isZero();
        assertThat(discarded.out).isEqualTo("discarded street-scenes@" + first.toHexString() + " (2 rows)\n");
        assertThatThrownBy(() -> ds.rows(first).count().block()).as("its rows are deleted")
                .isInstanceOf(VersionNotFoundException.class).hasMessageContaining("discarded");
        assertThat(cli.run("dataset", "discard", created).out).contains("already discarded");
        assertThat(jsonLines(cli.run("dataset", "drafts", "--format", "jsonl")))
                .extracting(d -> d.get("id").asText()).containsExactly(audited.id().toHexString());

        CliRunner.Result gc = cli.run("dataset", "gc", "--older-than", "0s", "--format", "json");
        assertThat(gc.code).as(gc.toString()).isZero();
        JsonNode gone = JSON.readTree(gc.out);
        assertThat(gone).hasSize(1);
        assertThat(gone.get(0).get("id").asText()).isEqualTo(audited.id().toHexString());
        assertThat(cli.run("dataset", "drafts", "--format", "jsonl").out).isEmpty();

        VersionInfo published = publish(ds, "pub", images);
        assertOneLineError(cli.run("dataset", "discard", "pub@" + published.id().toHexString()), 1, "pub@1",
                "published");
        assertThat(ds.rows(published.ref()).count().block()).isEqualTo(2);
    }

    @Test
    void untagRemovesATagAndTagsPrintsEveryMove() throws Exception {
        BlockingDatalake lake = lake();
        Datasets ds = lake.reactive().datasets();
        List<ObjectId> images = labelImages(lake, 0, 2).stream().map(Datum::id).toList();
        publish(ds, "scenes", images);
        publish(ds, "scenes", images.subList(0, 1));
        assertThat(cli.run("dataset", "tag", "scenes@1", "prod").code).isZero();
        assertThat(cli.run("dataset", "tag", "scenes@2", "prod").code).isZero();

        CliRunner.Result untag = cli.run("dataset", "untag", "scenes", "prod");
        assertThat(untag.code).as(untag.toString()).isZero();
        assertThat(untag.out).isEqualTo("removed scenes@prod (was 2)\n");
        assertThat(cli.run("dataset", "show", "scenes@prod").code).isEqualTo(1);
        assertOneLineError(cli.run("dataset", "untag", "scenes", "prod"), 1, "scenes@prod");

        List<JsonNode> moves = jsonLines(cli.run("dataset", "tags", "scenes", "--format", "jsonl"));
        assertThat(moves).extracting(m -> m.get("tag").asText() + " " + m.get("from") + "->" + m.get("to"))
                .containsExactly("prod null->1", "prod 1->2", "prod 2->null");
        assertThat(moves).allSatisfy(m -> {
            assertThat(m.get("actor").asText()).isNotBlank();
            assertThat(java.time.Instant.parse(m.get("at").asText())).isNotNull();
        });
        CliRunner.Result table = cli.run("dataset", "tags", "scenes");
        assertThat(table.out.lines().toList()).hasSize(5);
        assertThat(table.out.lines().toList().get(1)).matches("prod +- +1 +.*");
        assertThat(table.out).endsWith("(3 rows)\n");

        assertOneLineError(cli.run("dataset", "tags", "nope"), 1, "nope");
        assertOneLineError(cli.run("dataset", "untag", "nope", "prod"), 1, "nope");
        assertOneLineError(cli.run("dataset", "untag", "scenes", "latest"), 2, "latest");
        assertOneLineError(cli.run("dataset", "tags", "Bad Name"), 2, "Bad Name");
    }

    @Test
    void longWorkShowsProgressOnATerminalsStderrAndKeepsStdoutClean() throws Exception {
        Datalake lake = lake().reactive();
        int n = 10_001;
        lake.addData(Flux.fromStream(IntStream.range(0, n).mapToObj(i -> NewDatum.builder()
                .data(Map.of("type", "image", "n", i)).build()))).blockLast();
        Path query = Files.writeString(temp.resolve("q.json"), "[{\"data.type\": \"image\", \"column\": \"image\"}]");

        CliRunner.Result created = runOnTerminal("dataset", "create", "big", "--query", query.toString());
        assertThat(created.code).as(created.toString()).isZero();
        assertThat(created.err).as("a running count, redrawn in place").contains("\rcreating big: 10000 rows")
                .contains("\rcreating big: " + n + " rows").endsWith("\n");
        assertThat(created.out).startsWith("draft big@").contains(n + " rows").doesNotContain("\r", "creating");
        Matcher m = Pattern.compile("draft (big@[0-9a-f]{24}) ").matcher(created.out);
        assertThat(m.find()).isTrue();
        String draft = m.group(1);

        CliRunner.Result audit = runOnTerminal("dataset", "audit", draft);
        assertThat(audit.code).as(audit.toString()).isZero();
        assertThat(audit.err).contains("\rauditing [").contains("check 1/3 datums exist: 10000/" + n + " rows")
                .contains("] check 3/3 no empty column: " + n + "/" + n + " rows").endsWith("\n");
        assertThat(audit.out).startsWith(draft + ": passed").doesNotContain("\r", "auditing");

        // Not a terminal: create says nothing on stderr, audit logs lines (no redrawing), stdout is the same.
        CliRunner.Result piped = cli.run("dataset", "create", "big", "--query", query.toString());
        assertThat(piped.code).as(piped.toString()).isZero();
        assertThat(piped.err).isEmpty();
        assertThat(piped.out.lines().toList()).hasSize(2).first().asString().startsWith("draft big@");
        CliRunner.Result logged = cli.run("dataset", "audit", draft);
        assertThat(logged.code).as(logged.toString()).isZero();
        assertThat(logged.out).isEqualTo(audit.out);
        assertThat(logged.err).doesNotContain("\r");
        List<String> lines = logged.err.lines().toList();
        assertThat(lines).hasSizeBetween(3, 10).allMatch(l -> l.startsWith("auditing " + draft + ": check "));
        assertThat(lines).last().isEqualTo("auditing " + draft + ": check 3/3 no empty column: " + n + "/" + n
                + " rows");
    }
}
