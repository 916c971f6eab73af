package io.datalake.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.datalake.Datalake;
import io.datalake.DatalakeSettings;
import io.datalake.Datum;
import io.datalake.NewDatum;
import io.datalake.cli.internal.CliContext;
import io.datalake.cli.internal.RootCommand;
import io.datalake.dataset.AuditOptions;
import io.datalake.dataset.DatasetSource;
import io.datalake.dataset.Datasets;
import io.datalake.dataset.VersionInfo;
import io.datalake.mongo.Datalakes;
import io.datalake.mongo.TestLakes;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.bson.types.ObjectId;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import reactor.core.publisher.Flux;

/** {@code datalake delete}: refusals with exit codes, dry run, cascade, output formats, progress. */
class EmbeddedDeleteCliTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final CliRunner cli = new CliRunner();
    private final List<AutoCloseable> toClose = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable c : toClose) {
            c.close();
        }
    }

    private Datalake lake() {
        Datalake lake = Datalakes.create(DatalakeSettings.builder().mongoUri(TestLakes.connectionString())
                .database(cli.database).build());
        toClose.add(lake);
        return lake;
    }

    private static List<ObjectId> children(Datalake lake, ObjectId parent, int n) {
        return lake.addData(Flux.range(0, n).map(i -> NewDatum.builder().data(Map.of("i", i)).derivedFrom(parent)
                .build())).map(Datum::id).collectList().block();
    }

    private static long count(Datalake lake) {
        return lake.getStats().block().datums();
    }

    @Test
    void withoutCascadeADatumWithChildrenIsRefusedNamingThemAndExit1() {
        Datalake lake = lake();
        ObjectId root = lake.addDatum(Map.of("r", 1), Map.of()).block().id();
        List<ObjectId> kids = children(lake, root, 2);

        CliRunner.Result refused = cli.run("delete", root.toHexString());

        assertThat(refused.code).as(refused.toString()).isEqualTo(1);
        assertThat(refused.err).contains("delete: delete " + root.toHexString(), "2 children",
                kids.get(0).toHexString(), "cascade");
        assertThat(refused.out).isEmpty();
        assertThat(count(lake)).isEqualTo(3);
    }

    @Test
    void aDryRunPrintsThePlanAndDeletesNothingThenCascadeDeletesIt() throws Exception {
        Datalake lake = lake();
        ObjectId root = lake.addDatum(Map.of("r", 1), Map.of()).block().id();
        List<ObjectId> kids = children(lake, root, 3);

        CliRunner.Result dry = cli.run("delete", root.toHexString(), "--cascade", "--dry-run", "--format", "json");
        assertThat(dry.code).as(dry.toString()).isZero();
        JsonNode plan = JSON.readTree(dry.out);
        assertThat(plan.get("dry_run").asBoolean()).isTrue();
        assertThat(plan.get("counts").get("deleted").asInt()).isEqualTo(4);
        List<String> ids = new ArrayList<>();
        plan.get("deleted").forEach(n -> ids.add(n.asText()));
        assertThat(ids).hasSize(4).endsWith(root.toHexString())
                .containsAll(kids.stream().map(ObjectId::toHexString).toList());
        assertThat(count(lake)).isEqualTo(4);

        CliRunner.Result real = cli.run("delete", root.toHexString(), "--cascade", "--format", "jsonl");
        assertThat(real.code).as(real.toString()).isZero();
        List<JsonNode> rows = new ArrayList<>();
        for (String line : real.out.strip().lines().toList()) {
            rows.add(JSON.readTree(line));
        }
        assertThat(rows).extracting(r -> r.get("kind").asText()).containsOnly("deleted");
        assertThat(rows).extracting(r -> r.get("id").asText()).isEqualTo(ids);
        assertThat(real.err).contains("deleted 4 datums, 0 payloads released");
        assertThat(count(lake)).isZero();
    }

    @Test
    void aTableNamesEachDatumAndEndsWithTheCounts() {
        Datalake lake = lake();
        ObjectId leaf = lake.addDatum(Map.of("r", 1), Map.of()).block().id();

        CliRunner.Result table = cli.run("delete", leaf.toHexString());

        assertThat(table.code).as(table.toString()).isZero();
        assertThat(table.out).contains("deleted                   " + leaf.toHexString(), "(1 row)",
                "deleted 1 datum, 0 payloads released");
        assertThat(count(lake)).isZero();
    }

    @Test
    void aRetainedDatumIsRefusedNamingTheVersion() {
        Datalake lake = lake();
        ObjectId root = lake.addDatum(Map.of("r", 1), Map.of()).block().id();
        List<ObjectId> kids = children(lake, root, 2);
        Datasets ds = lake.datasets();
        VersionInfo draft = ds.createDraft("scenes", DatasetSource.ids("image", kids.subList(1, 2))).block();
        ds.audit(draft.id(), AuditOptions.defaults(), List.of()).block();
        ds.publish(draft.id()).block();

        CliRunner.Result refused = cli.run("delete", root.toHexString(), "--cascade");

        assertThat(refused.code).as(refused.toString()).isEqualTo(1);
        assertThat(refused.err).contains("scenes@1", kids.get(1).toHexString());
        assertThat(count(lake)).isEqualTo(3);
    }

    @Test
    void badInputExits2AndAnUnknownIdExits1NamingIt() {
        lake();
        CliRunner.Result malformed = cli.run("delete", "not-an-id");
        assertThat(malformed.code).as(malformed.toString()).isEqualTo(2);
        CliRunner.Result limit = cli.run("delete", new ObjectId().toHexString(), "--max-nodes", "0");
        assertThat(limit.code).as(limit.toString()).isEqualTo(2);
        assertThat(limit.err).contains("--max-nodes");
        ObjectId unknown = new ObjectId();
        CliRunner.Result missing = cli.run("delete", unknown.toHexString());
        assertThat(missing.code).as(missing.toString()).isEqualTo(1);
        assertThat(missing.err).contains(unknown.toHexString());
    }

    @Test
    void aCascadeTooLargeForMaxNodesIsRefused() {
        Datalake lake = lake();
        ObjectId root = lake.addDatum(Map.of("r", 1), Map.of()).block().id();
        children(lake, root, 5);
        CliRunner.Result refused = cli.run("delete", root.toHexString(), "--cascade", "--max-nodes", "5");
        assertThat(refused.code).as(refused.toString()).isEqualTo(1);
        assertThat(refused.err).contains("more than 5 datums");
        assertThat(count(lake)).isEqualTo(6);
    }

    @Test
    void onATerminalACascadeShowsProgressOnStderrAndStdoutStaysThePlan() {
        Datalake lake = lake();
        ObjectId root = lake.addDatum(Map.of("r", 1), Map.of()).block().id();
        children(lake, root, 3);
        List<String> all = new ArrayList<>(List.of("delete", root.toHexString(), "--cascade", "--format", "csv",
                "--mongo-uri", TestLakes.connectionString(), "--database", cli.database));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code;
        try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
                PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
            code = new CommandLine(new RootCommand(new CliContext(Map.of(), new ByteArrayInputStream(new byte[0]),
                    o, e, true, true))).registerConverter(ObjectId.class, ObjectId::new)
                    .setCaseInsensitiveEnumValuesAllowed(true)
                    .execute(all.toArray(new String[0]));
        }
        String stderr = err.toString(StandardCharsets.UTF_8);
        assertThat(code).as(stderr).isZero();
        assertThat(stderr).contains("\rdeleting [", "4/4 datums");
        List<String> lines = out.toString(StandardCharsets.UTF_8).strip().lines().toList();
        assertThat(lines.get(0)).isEqualTo("kind,id,registry_uri,registry_key");
        assertThat(lines).hasSize(5).last().isEqualTo("deleted," + root.toHexString() + ",,");
        assertThat(count(lake)).isZero();
    }
}
