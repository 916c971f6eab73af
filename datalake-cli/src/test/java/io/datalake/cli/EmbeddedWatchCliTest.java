package io.datalake.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.datalake.BlockingDatalake;
import io.datalake.DatalakeSettings;
import io.datalake.Datum;
import io.datalake.mongo.Datalakes;
import io.datalake.mongo.TestLakes;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code datalake watch}: JSON lines, filters, positions saved to a file and resumed, usage errors, closed output. */
class EmbeddedWatchCliTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final CliRunner cli = new CliRunner();
    private final BlockingDatalake lake = Datalakes.create(DatalakeSettings.builder()
            .mongoUri(TestLakes.connectionString()).database(cli.database).build()).blocking();

    @TempDir
    Path temp;

    @AfterEach
    void close() {
        lake.close();
    }

    private List<JsonNode> lines(String out) throws IOException {
        List<JsonNode> nodes = new ArrayList<>();
        for (String line : out.split("\n")) {
            if (!line.isEmpty()) {
                nodes.add(JSON.readTree(line));
            }
        }
        return nodes;
    }

    @Test
    void printsOneLineOfGetsJsonPerDatumInIdOrder() throws IOException {
        Datum a = lake.addDatum(Map.of("n", 1), Map.of("type", "image"));
        Datum b = lake.addDatum(Map.of("n", 2), Map.of("type", "label"));

        CliRunner.Result watch = cli.run("watch", "--from-beginning", "--limit", "2", "--poll-interval", "10ms");
        CliRunner.Result get = cli.run("get", a.id().toHexString());

        assertThat(watch.code).as(watch.toString()).isZero();
        assertThat(watch.out.split("\n")).hasSize(2);
        List<JsonNode> printed = lines(watch.out);
        assertThat(printed.get(0)).isEqualTo(JSON.readTree(get.out));
        assertThat(printed.get(1).get("id").asText()).isEqualTo(b.id().toHexString());
    }

    @Test
    void theFilterSelectsDatums() throws IOException {
        lake.addDatum(Map.of("n", 1), Map.of("type", "label"));
        Datum image = lake.addDatum(Map.of("n", 2), Map.of("type", "image"));

        CliRunner.Result watch = cli.run("watch", "{\"metadata.type\": \"image\"}", "--from-beginning", "--limit",
                "1");

        assertThat(watch.code).as(watch.toString()).isZero();
        assertThat(lines(watch.out)).extracting(n -> n.get("id").asText()).containsExactly(image.id().toHexString());
    }

    @Test
    void theTokenFileResumesAfterTheLastPrintedLine() throws IOException {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            ids.add(lake.addDatum(Map.of("n", i), null).id().toHexString());
        }
        Path position = temp.resolve("watch.pos");

        CliRunner.Result first = cli.run("watch", "--from-beginning", "--limit", "2", "--token-file",
                position.toString());
        String token = Files.readString(position).strip();
        CliRunner.Result second = cli.run("watch", "--from", token, "--limit", "3", "--token-file",
                position.toString());

        assertThat(first.code).as(first.toString()).isZero();
        assertThat(second.code).as(second.toString()).isZero();
        List<String> printed = new ArrayList<>();
        lines(first.out + second.out).forEach(n -> printed.add(n.get("id").asText()));
        assertThat(printed).isEqualTo(ids);
        assertThat(temp.resolve("watch.pos.tmp")).doesNotExist();
    }

    @Test
    void fromNowTheTokenFileHoldsThePositionBeforeTheFirstDatumArrives() throws Exception {
        lake.addDatum(Map.of("old", true), null);
        Path position = temp.resolve("now.pos");
        CompletableFuture<CliRunner.Result> watching = CompletableFuture.supplyAsync(() -> cli.run("watch",
                "--limit", "1", "--token-file", position.toString(), "--poll-interval", "10ms"));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!Files.exists(position)) {
            assertThat(System.nanoTime()).as("the position file appears").isLessThan(deadline);
            Thread.sleep(10);
        }
        String start = Files.readString(position).strip();
        Datum fresh = lake.addDatum(Map.of("new", true), null);

        CliRunner.Result result = watching.get(60, TimeUnit.SECONDS);

        assertThat(result.code).as(result.toString()).isZero();
        assertThat(lines(result.out)).extracting(n -> n.get("id").asText()).containsExactly(fresh.id().toHexString());
        CliRunner.Result again = cli.run("watch", "--from", start, "--limit", "1");
        assertThat(lines(again.out)).extracting(n -> n.get("id").asText()).containsExactly(fresh.id().toHexString());
    }

    @Test
    void badTokensAndFiltersAreUsageErrorsBeforeAnyConnection() {
        CliRunner.Result junk = cli.runRaw("watch", "--from", "not-a-token", "--mongo-uri", "mongodb://127.0.0.1:1");
        CliRunner.Result where = cli.runRaw("watch", "{\"$where\": \"sleep(100)\"}", "--mongo-uri",
                "mongodb://127.0.0.1:1");
        CliRunner.Result notObject = cli.runRaw("watch", "[1, 2]", "--mongo-uri", "mongodb://127.0.0.1:1");

        assertThat(junk.code).as(junk.toString()).isEqualTo(DatalakeCli.EXIT_USAGE);
        assertThat(junk.err).contains("feed token");
        assertThat(where.code).as(where.toString()).isEqualTo(DatalakeCli.EXIT_USAGE);
        assertThat(where.err).contains("$where");
        assertThat(notObject.code).as(notObject.toString()).isEqualTo(DatalakeCli.EXIT_USAGE);
    }

    @Test
    void aTokenForAnotherFilterIsAUsageError() throws IOException {
        lake.addDatum(Map.of("n", 1), Map.of("type", "image"));
        Path position = temp.resolve("images.pos");
        cli.run("watch", "{\"metadata.type\": \"image\"}", "--from-beginning", "--limit", "1", "--token-file",
                position.toString());

        CliRunner.Result other = cli.run("watch", "{\"metadata.type\": \"label\"}", "--from",
                Files.readString(position).strip());

        assertThat(other.code).as(other.toString()).isEqualTo(DatalakeCli.EXIT_USAGE);
        assertThat(other.err).contains("another filter");
    }

    @Test
    void aClosedStandardOutputEndsTheWatchCleanly() {
        for (int i = 0; i < 5; i++) {
            lake.addDatum(Map.of("n", i), null);
        }
        OutputStream closedAfterFirstLine = new OutputStream() {
            private int written;

            @Override
            public void write(int b) throws IOException {
                if (written++ > 0 && b == '{') {
                    throw new IOException("Broken pipe");
                }
            }
        };
        ByteArrayOutputStream err = new ByteArrayOutputStream();

        // Without --limit, only the closed output can end this run.
        int code = DatalakeCli.execute(Map.of(), new ByteArrayInputStream(new byte[0]),
                new PrintStream(closedAfterFirstLine, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), "watch", "--from-beginning", "--mongo-uri",
                TestLakes.connectionString(), "--database", cli.database);

        assertThat(code).as(err.toString(StandardCharsets.UTF_8)).isZero();
    }
}
