package io.datalake.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.datalake.Datalake;
import io.datalake.DatalakeSettings;
import io.datalake.Datum;
import io.datalake.InvalidArgumentException;
import io.datalake.NewDatum;
import io.datalake.mongo.Datalakes;
import io.datalake.mongo.TestLakes;
import io.datalake.processor.Processor;
import io.datalake.processor.ProcessorInput;
import io.datalake.processor.ProcessorOptions;
import io.datalake.processor.ProcessorRun;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.bson.types.ObjectId;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

/** {@code datalake processors}: progress across workers, dead letters, retrying them, formats and usage errors. */
class EmbeddedProcessorsCliTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration TIMEOUT = Duration.ofSeconds(60);

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

    private static List<Datum> images(Datalake lake, int n) {
        List<Datum> images = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            images.add(lake.addDatum(Map.of("type", "image", "n", i), Map.of()).block(TIMEOUT));
        }
        return images;
    }

    /** Runs a backfill of {@code name@v1} over the images; inputs matching {@code fails} fail for good. */
    private static void backfill(Datalake lake, String name, Predicate<ObjectId> fails, String message) {
        Processor processor = Processor.builder(name, "v1")
                .input(ProcessorInput.matching("{\"data.type\": \"image\"}"))
                .function(row -> fails.test(row.inputId())
                        ? Mono.error(new InvalidArgumentException(message))
                        : Mono.just(NewDatum.builder().data(Map.of("type", "label", "of", row.inputId().toHexString()))
                                .derivedFrom(row.inputId()).build()))
                .build();
        try (ProcessorRun run = lake.processors().backfill(processor, ProcessorOptions.builder().concurrency(2)
                .backoff(Duration.ZERO, Duration.ZERO).build())) {
            run.completion().block(TIMEOUT);
        }
    }

    @Test
    void aLakeWithoutProcessorsSaysSoInBothFormats() throws IOException {
        CliRunner.Result table = cli.run("processors");
        assertThat(table.code).as(table.toString()).isZero();
        assertThat(table.out).contains("no processors");

        CliRunner.Result json = cli.run("processors", "--format", "json");
        assertThat(json.code).as(json.toString()).isZero();
        assertThat(JSON.readTree(json.out).size()).isZero();
    }

    @Test
    void listsProgressAndDeadLettersAndRetriesThem() throws IOException {
        Datalake lake = lake();
        List<Datum> images = images(lake, 6);
        ObjectId bad1 = images.get(1).id();
        ObjectId bad4 = images.get(4).id();
        backfill(lake, "classifier", Set.of(bad1, bad4)::contains, "model refuses this image");

        CliRunner.Result table = cli.run("processors");
        assertThat(table.code).as(table.toString()).isZero();
        List<String> lines = table.out.lines().toList();
        assertThat(lines.get(0)).startsWith("processor").contains("done", "leased", "waiting", "dead", "last active",
                "input");
        assertThat(lines.get(1).split("\\s+")).startsWith("classifier@v1", "4", "0", "0", "2");
        assertThat(lines.get(1)).contains("data.type");
        assertThat(lines).last().isEqualTo("(1 processor)");

        CliRunner.Result json = cli.run("processors", "--format", "json");
        assertThat(json.code).as(json.toString()).isZero();
        JsonNode status = JSON.readTree(json.out).get(0);
        assertThat(status.get("processor").asText()).isEqualTo("classifier@v1");
        assertThat(status.get("done").asLong()).isEqualTo(4);
        assertThat(status.get("leased").asLong()).isZero();
        assertThat(status.get("dead_letters").asLong()).isEqualTo(2);
        assertThat(status.get("last_active_at").asText()).isNotEmpty();

        CliRunner.Result dead = cli.run("processors", "--dead-letters", "classifier@v1");
        assertThat(dead.code).as(dead.toString()).isZero();
        assertThat(dead.out).contains(bad1.toHexString(), bad4.toHexString(),
                "InvalidArgumentException: model refuses this image", "--retry classifier@v1");
        CliRunner.Result deadJson = cli.run("processors", "--dead-letters", "classifier@v1", "--format", "json");
        JsonNode letters = JSON.readTree(deadJson.out);
        assertThat(letters).hasSize(2);
        List<String> inputs = new ArrayList<>();
        letters.forEach(l -> inputs.add(l.get("input").asText()));
        assertThat(inputs).containsExactlyInAnyOrder(bad1.toHexString(), bad4.toHexString());
        assertThat(letters.get(0).get("error_type").asText()).isEqualTo(InvalidArgumentException.class.getName());
        assertThat(letters.get(0).get("failures").asInt()).isEqualTo(1);

        CliRunner.Result retry = cli.run("processors", "--retry", "classifier@v1", bad1.toHexString());
        assertThat(retry.code).as(retry.toString()).isZero();
        assertThat(retry.out).contains("put back 1 dead letter of classifier@v1");
        backfill(lake, "classifier", id -> false, "unused");

        JsonNode after = JSON.readTree(cli.run("processors", "--format", "json").out).get(0);
        assertThat(after.get("done").asLong()).isEqualTo(5);
        assertThat(after.get("dead_letters").asLong()).isEqualTo(1);
        JsonNode left = JSON.readTree(cli.run("processors", "--dead-letters", "classifier@v1", "--format", "json")
                .out);
        assertThat(left).hasSize(1);
        assertThat(left.get(0).get("input").asText()).isEqualTo(bad4.toHexString());

        CliRunner.Result all = cli.run("processors", "--retry", "classifier@v1", "--format", "json");
        assertThat(JSON.readTree(all.out).get("put_back").asLong()).isEqualTo(1);
        assertThat(cli.run("processors", "--dead-letters", "classifier@v1").out).contains("no dead letters");
    }

    @Test
    void storedErrorMessagesCannotDriveTheTerminal() {
        Datalake lake = lake();
        List<Datum> images = images(lake, 1);
        backfill(lake, "escapes", id -> true, "line one\nline two \u001b[31mred\u001b[0m");

        CliRunner.Result dead = cli.run("processors", "--dead-letters", "escapes@v1");
        assertThat(dead.code).as(dead.toString()).isZero();
        assertThat(dead.out).doesNotContain("\u001b").contains("line one line two \\u001b[31mred");
        assertThat(dead.out.lines().filter(l -> l.startsWith(images.get(0).id().toHexString()))).hasSize(1);
    }

    @Test
    void anUnknownProcessorNamesTheKnownOnes() {
        Datalake lake = lake();
        images(lake, 1);
        backfill(lake, "known", id -> false, "unused");

        CliRunner.Result result = cli.run("processors", "--dead-letters", "unknown@v1");
        assertThat(result.code).as(result.toString()).isEqualTo(1);
        assertThat(result.err).contains("no processor unknown@v1").contains("known@v1");
        CliRunner.Result retry = cli.run("processors", "--retry", "unknown@v1");
        assertThat(retry.code).as(retry.toString()).isEqualTo(1);
    }

    @Test
    void badUsageIsRefusedBeforeConnecting() {
        for (String[] args : List.of(
                new String[] {"processors", "--dead-letters", "no-version"},
                new String[] {"processors", "--retry", "a@b@c"},
                new String[] {"processors", "--retry", "@v1"},
                new String[] {"processors", "6650f1c2a7b3d94e1c0a1b2c"},
                new String[] {"processors", "--dead-letters", "a@v1", "--retry", "a@v1"},
                new String[] {"processors", "--retry", "a@v1", "not-an-id"},
                new String[] {"processors", "--format", "yaml"})) {
            // The runner's URI would work: an unreachable one shows that nothing connects before the refusal.
            CliRunner.Result result = cli.runRaw(Stream.concat(Arrays.stream(args), Stream.of("--mongo-uri",
                    "mongodb://127.0.0.1:1/?serverSelectionTimeoutMS=100")).toArray(String[]::new));
            assertThat(result.code).as(String.join(" ", args) + "\n" + result).isEqualTo(2);
            assertThat(result.err.strip().lines()).as(result.toString()).hasSize(1);
            assertThat(result.err).doesNotContain("\tat ");
        }
        assertThat(Objects.requireNonNull(cli.run("processors", "--help").out)).contains("--dead-letters",
                "--retry", "NAME@VERSION");
    }

    @Test
    void aMistypedInputIdToRetryIsNamedAsNotADatumId() {
        CliRunner.Result result = cli.runRaw("processors", "--retry", "a@v1", "6650f1c2a7b3d94e1c0a1b2c",
                "6650f1c2a7b3d94e1c0a1bzz", "--mongo-uri", "mongodb://127.0.0.1:1/?serverSelectionTimeoutMS=100");

        assertThat(result.code).as(result.toString()).isEqualTo(DatalakeCli.EXIT_USAGE);
        assertThat(result.err).as(result.toString()).contains("'6650f1c2a7b3d94e1c0a1bzz' is not a datum id")
                .doesNotContain("Unmatched argument");
    }
}
