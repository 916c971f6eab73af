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
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code datalake fsck}: findings as rows in every format, the summary, exit codes, registries, progress. */
class EmbeddedFsckCliTest {
    private static final ObjectMapper JSON = new ObjectMapper();

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

    private String registry(String name) {
        return temp.resolve(name).toString();
    }

    private BlockingDatalake lake(String registry) {
        BlockingDatalake lake = Datalakes.create(DatalakeSettings.builder().mongoUri(TestLakes.connectionString())
                .database(cli.database).registry(RegistrySettings.builder().defaultRegistry(registry).build())
                .build()).blocking();
        toClose.add(lake);
        return lake;
    }

    private Datum payload(BlockingDatalake lake, String registry, String content) {
        return lake.addDatum(content.getBytes(StandardCharsets.UTF_8), Map.of("type", "image"), registry, null);
    }

    /** The object file of a datum in a file registry: its key is a path under the root. */
    private static Path object(String registry, Datum d) {
        return Path.of(registry).resolve(d.registryKey());
    }

    @Test
    void aCleanLakeExitsZeroWithASummary() {
        String reg = registry("reg");
        BlockingDatalake lake = lake(reg);
        Datum cat = payload(lake, reg, "cat");
        lake.addDatum(Map.of("label", "cat"), Map.of(), null, cat.id());

        CliRunner.Result result = cli.run("fsck", "--verify", "--registry", reg);

        assertThat(result.code).as(result.toString()).isZero();
        assertThat(result.out).contains("kind").contains("(0 rows)").contains("checked 2 datums, 1 registry payloads")
                .contains("verified 3 B").contains("clean: no problems found");
    }

    @Test
    void aDeletedObjectIsARowAndExitsOne() throws Exception {
        String reg = registry("reg");
        BlockingDatalake lake = lake(reg);
        Datum gone = payload(lake, reg, "cat");
        payload(lake, reg, "dog");
        Files.delete(object(reg, gone));

        CliRunner.Result table = cli.run("fsck", "--registry", reg);
        assertThat(table.code).as(table.toString()).isEqualTo(1);
        assertThat(table.out).contains("MISSING_PAYLOAD").contains(gone.id().toHexString()).contains("(1 row)")
                .contains("1 problem:").containsPattern("MISSING_PAYLOAD +1");

        CliRunner.Result jsonl = cli.run("fsck", "--registry", reg, "--format", "jsonl");
        assertThat(jsonl.code).as(jsonl.toString()).isEqualTo(1);
        List<String> lines = jsonl.out.strip().lines().toList();
        assertThat(lines).hasSize(1);
        JsonNode row = JSON.readTree(lines.get(0));
        assertThat(row.get("kind").asText()).isEqualTo("MISSING_PAYLOAD");
        assertThat(row.get("datum").asText()).isEqualTo(gone.id().toHexString());
        assertThat(row.get("registry_key").asText()).isEqualTo(gone.registryKey());
        assertThat(row.get("registry_uri").asText()).isEqualTo(gone.registryUri());
        assertThat(jsonl.err).as("the summary goes to stderr in machine formats").contains("1 problem:");

        CliRunner.Result csv = cli.run("fsck", "--registry", reg, "--format", "csv");
        assertThat(csv.out.strip().lines().toList()).hasSize(2).first().asString()
                .isEqualTo("kind,datum,parent,version,row,column,registry_uri,registry_key,detail");
        CliRunner.Result json = cli.run("fsck", "--registry", reg, "--format", "json");
        assertThat(JSON.readTree(json.out)).hasSize(1);
    }

    @Test
    void aChangedByteIsFoundWithVerifyOnly() throws Exception {
        String reg = registry("reg");
        BlockingDatalake lake = lake(reg);
        Datum d = payload(lake, reg, "cat");
        Path file = object(reg, d);
        file.toFile().setWritable(true);
        Files.write(file, "cot".getBytes(StandardCharsets.UTF_8));

        assertThat(cli.run("fsck", "--registry", reg).code).isZero();
        CliRunner.Result verified = cli.run("fsck", "--registry", reg, "--verify", "--format", "jsonl");
        assertThat(verified.code).as(verified.toString()).isEqualTo(1);
        assertThat(JSON.readTree(verified.out.strip()).get("kind").asText()).isEqualTo("HASH_MISMATCH");
    }

    @Test
    void aRegistryTheCommandWasNotGivenIsReportedUnlessAllowed() {
        String reg = registry("reg");
        BlockingDatalake lake = lake(reg);
        Datum d = payload(lake, reg, "cat");

        CliRunner.Result other = cli.run("fsck", "--registry", registry("other"), "--format", "jsonl");
        assertThat(other.code).as(other.toString()).isEqualTo(1);
        assertThat(other.out).contains("REGISTRY_NOT_ALLOWED").contains(d.id().toHexString());

        CliRunner.Result allowed = cli.run("fsck", "--registry", registry("other"), "--allow-registry", reg);
        assertThat(allowed.code).as(allowed.toString()).isZero();
    }

    @Test
    void badUsageExitsTwoBeforeConnecting() {
        CliRunner.Result format = cli.runRaw("fsck", "--format", "xml");
        assertThat(format.code).as(format.toString()).isEqualTo(2);
        CliRunner.Result parallelism = cli.runRaw("fsck", "--parallelism", "0");
        assertThat(parallelism.code).as(parallelism.toString()).isEqualTo(2);
        assertThat(parallelism.err).contains("--parallelism");
        assertThat(parallelism.err).doesNotContain("embedded lake");
    }

    @Test
    void onATerminalProgressIsDrawnOnStderrAndStdoutStaysClean() throws Exception {
        String reg = registry("reg");
        BlockingDatalake lake = lake(reg);
        Datum gone = payload(lake, reg, "cat");
        Files.delete(object(reg, gone));

        List<String> args = new ArrayList<>(List.of("fsck", "--registry", reg, "--format", "jsonl",
                "--mongo-uri", TestLakes.connectionString(), "--database", cli.database));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code;
        try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
                PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
            code = new CommandLine(new RootCommand(new CliContext(Map.of(), new ByteArrayInputStream(new byte[0]),
                    o, e, true, true))).setCaseInsensitiveEnumValuesAllowed(true)
                    .execute(args.toArray(new String[0]));
        }

        assertThat(code).isEqualTo(1);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("\rfsck: 1 datums, 1 objects");
        assertThat(out.toString(StandardCharsets.UTF_8).strip().lines().toList()).singleElement()
                .satisfies(line -> assertThat(JSON.readTree(line).get("kind").asText()).isEqualTo("MISSING_PAYLOAD"));
    }
}
