package io.datalake.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.datalake.BlockingDatalake;
import io.datalake.DatalakeException;
import io.datalake.DatalakeSettings;
import io.datalake.Datum;
import io.datalake.DatumNotFoundException;
import io.datalake.DatumValidationException;
import io.datalake.InvalidArgumentException;
import io.datalake.InvalidQueryException;
import io.datalake.PayloadInfo;
import io.datalake.RegistryException;
import io.datalake.RegistrySettings;
import io.datalake.cli.internal.UsageException;
import io.datalake.mongo.Datalakes;
import io.datalake.mongo.TestLakes;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;
import org.bson.types.ObjectId;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What {@code add} and {@code query} accept as JSON, and how every kind of failure is reported. */
class EmbeddedCliInputTest {
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

    private BlockingDatalake lake() {
        // Reads open only allowed registries: the test's lake trusts the one the command line was given.
        BlockingDatalake lake = Datalakes.create(DatalakeSettings.builder()
                .mongoUri(TestLakes.connectionString()).database(cli.database)
                .registry(RegistrySettings.builder().allow(temp.resolve("reg").toString()).build())
                .build()).blocking();
        toClose.add(lake);
        return lake;
    }

    private long datums() throws IOException {
        return JSON.readTree(cli.run("stats", "--json").out).get("datums").asLong();
    }

    private static void assertOneLineError(CliRunner.Result result, int code, String... fragments) {
        assertThat(result.code).as(result.toString()).isEqualTo(code);
        assertThat(result.err.strip().lines()).as(result.toString()).hasSize(1);
        assertThat(result.err).contains(fragments).doesNotContain("\tat ").doesNotContain("Exception in thread");
    }

    private static final String UUID_TEXT = "3b241101-e2bb-4255-8caf-4136c566a962";
    private static final String TYPED = "{\"oid\": {\"$oid\": \"665f1c2e8a9b4c3d2e1f0a9b\"},"
            + " \"iso\": {\"$date\": \"2024-05-01T12:00:00Z\"},"
            + " \"millis\": {\"$date\": 1714564800000},"
            + " \"canonical\": {\"$date\": {\"$numberLong\": \"1714564800000\"}},"
            + " \"long\": {\"$numberLong\": \"5\"},"
            + " \"decimal\": {\"$numberDecimal\": \"1.50\"},"
            + " \"bytes\": {\"$binary\": {\"base64\": \"AQID\", \"subType\": \"00\"}},"
            + " \"uuid\": {\"$uuid\": \"" + UUID_TEXT + "\"}}";

    @Test
    void addReadsRelaxedAndCanonicalExtendedJson() {
        CliRunner.Result added = cli.run("add", TYPED, "--metadata", "{\"when\": {\"$date\": 1714564800000}}");
        assertThat(added.code).as(added.toString()).isZero();

        Datum datum = lake().getDatum(new ObjectId(added.out.strip()));
        @SuppressWarnings("unchecked")
        Map<String, Object> data = (Map<String, Object>) datum.data();
        Instant may = Instant.parse("2024-05-01T12:00:00Z");
        assertThat(data.get("oid")).isEqualTo(new ObjectId("665f1c2e8a9b4c3d2e1f0a9b"));
        assertThat(data.get("iso")).isEqualTo(may);
        assertThat(data.get("millis")).isEqualTo(may);
        assertThat(data.get("canonical")).isEqualTo(may);
        assertThat(data.get("long")).isEqualTo(5L);
        assertThat(data.get("decimal")).isEqualTo(new BigDecimal("1.50"));
        assertThat((byte[]) data.get("bytes")).containsExactly(1, 2, 3);
        assertThat(data.get("uuid")).isEqualTo(UUID.fromString(UUID_TEXT));
        assertThat(datum.metadata().get("when")).isEqualTo(may);
    }

    @Test
    void queryAcceptsTheSameValuesAsAdd() {
        String id = cli.run("add", TYPED).out.strip();
        cli.run("add", "{\"long\": 6, \"iso\": {\"$date\": \"2020-01-01T00:00:00Z\"}}");

        for (String filter : List.of("{\"data.long\": {\"$numberLong\": \"5\"}}",
                "{\"data.millis\": {\"$date\": \"2024-05-01T12:00:00Z\"}}",
                "{\"data.iso\": {\"$gt\": {\"$date\": 1600000000000}}}",
                "{\"data.decimal\": {\"$numberDecimal\": \"1.50\"}}",
                "{\"data.uuid\": {\"$uuid\": \"" + UUID_TEXT + "\"}}",
                "{\"data.oid\": {\"$oid\": \"665f1c2e8a9b4c3d2e1f0a9b\"}}")) {
            CliRunner.Result rows = cli.run("query", "[" + filter.substring(0, filter.length() - 1)
                    + ", \"column\": \"x\"}]", "--format", "jsonl");
            assertThat(rows.code).as(filter + "\n" + rows).isZero();
            assertThat(rows.out.lines()).as(filter).containsExactly("{\"x\":\"" + id + "\"}");
        }
    }

    @Test
    void valuesTheLakeWouldChangeAreRefusedBeforeAnythingIsWritten() throws IOException {
        assertOneLineError(cli.run("add", "{\"a\": 1e400}"), 2, "1e400", "line 1");
        assertOneLineError(cli.run("add", "{\"a\": \"x\\ud800y\"}"), 2, "lone UTF-16 surrogate");
        assertOneLineError(cli.run("add", "{\"\\udc00\": 1}"), 2, "surrogate");
        assertOneLineError(cli.run("add", "{\"a\": 123456789012345678901234567890}"), 2, "$numberDecimal");
        assertOneLineError(cli.run("add", "{\"a\\u0000b\": 1}"), 2, "NUL");
        assertOneLineError(cli.run("add", "{}", "--metadata", "{\"k\\u0000\": 1}"), 2, "--metadata", "NUL");
        assertOneLineError(cli.run("add", "{\"a\": {\"$regularExpression\": {\"pattern\": \"x\", \"options\": \"\"}}}"),
                2, "REGULAR_EXPRESSION");
        assertOneLineError(cli.run("query", "[{\"data.a\": 1e400, \"column\": \"x\"}]"), 2, "1e400");
        assertOneLineError(cli.run("query", "[{\"data.a\": \"\\ud800\", \"column\": \"x\"}]"), 2, "surrogate");
        assertThat(datums()).isZero();
    }

    @Test
    void deeplyNestedInputIsAUsageErrorNeverAStackTrace() throws IOException {
        String deep = "[".repeat(10_000) + "]".repeat(10_000);
        String deepObject = "{\"a\":".repeat(10_000) + "1" + "}".repeat(10_000);
        assertOneLineError(cli.run("add", deep), 2, "nested deeper than");
        assertOneLineError(cli.run("add", "{}", "--metadata", deepObject), 2, "--metadata", "nested deeper than");
        assertOneLineError(cli.run("query", "[{\"data.a\": " + deepObject + ", \"column\": \"x\"}]"), 2,
                "nested deeper than");
        cli.stdin = deep;
        assertOneLineError(cli.run("add", "-"), 2, "nested deeper than");
        assertThat(datums()).isZero();
    }

    @Test
    void addWithNoDataIsAUsageError() {
        assertOneLineError(cli.run("add"), 2, "nothing to add");
        assertOneLineError(cli.run("add", "--metadata", "{\"type\": \"note\"}"), 2, "nothing to add");
        CliRunner.Result onlyMetadata = cli.run("add", "null", "--metadata", "{\"type\": \"note\"}");
        assertThat(onlyMetadata.code).as(onlyMetadata.toString()).isZero();
    }

    @Test
    void oversizedValuesGoToTheRegistryGiven() throws IOException {
        Path registry = temp.resolve("reg");
        for (int megabytes : new int[] {5, 17}) {
            cli.stdin = "{\"blob\": \"" + "x".repeat(megabytes * 1024 * 1024) + "\", \"n\": {\"$numberLong\": \"7\"}}";
            CliRunner.Result added = cli.run("add", "-", "--registry", registry.toString());
            assertThat(added.code).as(megabytes + " MB: " + added.err).isZero();

            JsonNode described = JSON.readTree(cli.run("get", added.out.strip()).out);
            assertThat(described.get("payload").get("content_type").asText()).isEqualTo(PayloadInfo.BSON);
            Datum datum = lake().getDatum(new ObjectId(added.out.strip()));
            assertThat(((Map<?, ?>) datum.data()).get("n")).isEqualTo(7L);
            assertThat(((String) ((Map<?, ?>) datum.data()).get("blob"))).hasSize(megabytes * 1024 * 1024);
        }
        cli.stdin = "\"" + "x".repeat(5 * 1024 * 1024) + "\"";
        CliRunner.Result withoutRegistry = cli.run("add", "-");
        assertOneLineError(withoutRegistry, 2, "pass --registry URI (or set DATALAKE_REGISTRY)");
        assertThat(withoutRegistry.err).as("said once, in the command line's terms")
                .doesNotContain("RegistrySettings").doesNotContain("registryUri");
    }

    @Test
    void jsonLinesAreAddedInOneCallWithTheirIdsInOrder() throws IOException {
        String parent = new ObjectId().toHexString();
        cli.stdin = "{\"id\": {\"$oid\": \"" + parent + "\"}, \"data\": {\"type\": \"image\"}, \"metadata\": {\"n\": 1}}\n"
                + "\n"
                + "{\"data\": {\"label\": \"cat\"}, \"derived_from\": \"" + parent + "\"}\n"
                + "{\"data\": {\"label\": \"dog\"}, \"derived_from\": {\"$oid\": \"" + parent + "\"}}\n";
        CliRunner.Result added = cli.run("add", "--jsonl", "-", "--metadata", "{\"batch\": 7}");

        assertThat(added.code).as(added.toString()).isZero();
        List<String> ids = added.out.lines().collect(Collectors.toList());
        assertThat(ids).hasSize(3).first().isEqualTo(parent);
        List<Datum> stored = lake().getData(ids.stream().map(ObjectId::new).collect(Collectors.toList()));
        assertThat(stored.get(0).metadata()).isEqualTo(Map.of("n", 1));
        assertThat(stored.get(1).metadata()).isEqualTo(Map.of("batch", 7));
        assertThat(stored.get(1).data()).isEqualTo(Map.of("label", "cat"));
        assertThat(stored.get(2).data()).isEqualTo(Map.of("label", "dog"));
        assertThat(stored.get(2).derivedFrom()).isEqualTo(new ObjectId(parent));
    }

    @Test
    void aBadJsonLineNamesItsLineAndNothingIsWritten() throws IOException {
        cli.stdin = "{\"data\": 1}\n{\"data\": 2, \"colour\": \"red\"}\n";
        assertOneLineError(cli.run("add", "--jsonl", "-"), 2, "line 2", "colour");
        cli.stdin = "{\"data\": 1}\n{\"data\": 2}\n{\"data\": \n";
        assertOneLineError(cli.run("add", "--jsonl", "-"), 2, "line 3");
        cli.stdin = "{\"data\": 1}\n{\"metadata\": {}}\n";
        assertOneLineError(cli.run("add", "--jsonl", "-"), 2, "line 2", "data");
        cli.stdin = "{\"data\": 1, \"derived_from\": \"nope\"}\n";
        assertOneLineError(cli.run("add", "--jsonl", "-"), 2, "line 1", "derived_from");
        assertOneLineError(cli.run("add", "{}", "--jsonl", "-"), 2, "not several");
        assertThat(datums()).isZero();
    }

    @Test
    void aValueTheLakeWouldRefuseOnALaterJsonlLineIsNamedByItsLineBeforeAnyBatchIsWritten() throws IOException {
        StringBuilder lines = new StringBuilder();
        for (int i = 1; i <= 1500; i++) {
            lines.append(i == 1200 ? "{\"data\": {\"$set\": 1}}" : "{\"data\": " + i + "}").append('\n');
        }
        cli.stdin = lines.toString();
        assertOneLineError(cli.run("add", "--jsonl", "-"), 2, "line 1200", "$set");
        cli.stdin = "{\"data\": 1}\n{\"data\": 2, \"metadata\": {\"a.b\": 1}}\n";
        assertOneLineError(cli.run("add", "--jsonl", "-"), 2, "line 2", "a.b");
        assertThat(datums()).as("nothing written, so the same file can be fixed and added again").isZero();
    }

    @Test
    void inputThatIsNotUtf8IsRefusedInsteadOfStoredChanged() throws IOException {
        cli.stdinBytes = new byte[] {'"', 'a', (byte) 0xff, (byte) 0xfe, '"'};
        assertOneLineError(cli.run("add", "-"), 2, "UTF-8", "standard input");
        cli.stdinBytes = new byte[] {'{', '"', 'd', 'a', 't', 'a', '"', ':', '"', (byte) 0xc3, '"', '}', '\n'};
        assertOneLineError(cli.run("add", "--jsonl", "-"), 2, "UTF-8");
        cli.stdinBytes = new byte[] {'[', '{', '"', 'c', 'o', 'l', 'u', 'm', 'n', '"', ':', '"', (byte) 0xff, '"',
            '}', ']'};
        assertOneLineError(cli.run("query"), 2, "UTF-8");
        assertThat(datums()).isZero();
    }

    @Test
    void aFilterTheEngineRefusesExitsWithTwoBeforeConnecting() {
        // Nothing listens on port 1: a command that connected would fail with exit code 1 instead.
        String nowhere = "mongodb://127.0.0.1:1/?serverSelectionTimeoutMS=2000";
        assertOneLineError(cli.runRaw("query", "[{\"column\": \"x\", \"$where\": \"sleep(1000)\"}]",
                "--mongo-uri", nowhere), 2, "$where runs server-side JavaScript");
        assertOneLineError(cli.runRaw("query", "[{\"column\": \"x\", \"data.a\": {\"$bogus\": 1}}]", "--explain",
                "--mongo-uri", nowhere), 2, "level 0: data.a.$bogus: unknown operator $bogus");
        assertOneLineError(cli.run("query", "[{\"column\": \"x\", \"data.a\": {\"$regex\": \"(.*a){20}x\"}}]"),
                2, "catastrophic backtracking");
    }

    @Test
    void everyKindOfFailureGetsItsExitCodeAndAMessage() {
        assertThat(DatalakeCli.exitCode(new UsageException("x"))).isEqualTo(2);
        assertThat(DatalakeCli.exitCode(new InvalidArgumentException("x"))).isEqualTo(2);
        assertThat(DatalakeCli.exitCode(new InvalidQueryException("x"))).isEqualTo(2);
        assertThat(DatalakeCli.exitCode(new DatumValidationException("x"))).isEqualTo(2);
        assertThat(DatalakeCli.exitCode(new StackOverflowError())).isEqualTo(2);
        assertThat(DatalakeCli.exitCode(new DatumNotFoundException("get", List.of(new ObjectId())))).isEqualTo(1);
        assertThat(DatalakeCli.exitCode(new RegistryException("x"))).isEqualTo(1);
        assertThat(DatalakeCli.exitCode(new DatalakeException("x"))).isEqualTo(1);
        assertThat(DatalakeCli.exitCode(new IllegalStateException("x"))).isEqualTo(1);

        assertThat(DatalakeCli.message(new StackOverflowError())).contains("nested too deeply");
        assertThat(DatalakeCli.message(new NullPointerException())).contains("unexpected", "NullPointerException",
                "--verbose");
        assertThat(DatalakeCli.message(new DatalakeException("could not open the lake",
                new IllegalArgumentException("the reason")))).isEqualTo("could not open the lake: the reason");
        assertThat(DatalakeCli.message(new RegistryException("line one\n  line two"))).isEqualTo(
                "line one line two");
    }
}
