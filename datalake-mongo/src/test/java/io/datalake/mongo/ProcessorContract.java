package io.datalake.mongo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCollection;
import io.datalake.Datalake;
import io.datalake.DatalakeSettings;
import io.datalake.DatalakeTransientException;
import io.datalake.Datum;
import io.datalake.InvalidArgumentException;
import io.datalake.NewDatum;
import io.datalake.processor.DeadLetter;
import io.datalake.processor.Processor;
import io.datalake.processor.ProcessorInput;
import io.datalake.processor.ProcessorMetrics;
import io.datalake.processor.ProcessorOptions;
import io.datalake.processor.ProcessorRow;
import io.datalake.processor.ProcessorRun;
import io.datalake.processor.ProcessorStatus;
import io.datalake.processor.Processors;
import io.datalake.query.Query;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.bson.Document;
import org.bson.types.ObjectId;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Processors: exactly one result per input and version across concurrent runs, crashes and retries; dead letters;
 * stop; metrics; status. Runs against the embedded server in every build ({@link EmbeddedProcessorContractTest})
 * and against a real MongoDB where Docker exists ({@link MongoContainerProcessorContractIT}).
 */
abstract class ProcessorContract {
    private static final AtomicInteger DATABASES = new AtomicInteger();
    private static final Duration WAIT = Duration.ofSeconds(60);
    /** Images without a label: the classic missing query. */
    private static final String UNLABELLED = """
            [{"column": "image", "data.type": "image"},
             {"column": "label", "derived_from": "image", "data.type": "label", "strategy": "missing"}]""";

    private final List<AutoCloseable> toClose = new ArrayList<>();
    private String database = "";

    /**
     * Returns the connection string of the server under test.
     *
     * @return a MongoDB URI
     */
    protected abstract String connectionString();

    @AfterEach
    void closeAll() throws Exception {
        for (int i = toClose.size() - 1; i >= 0; i--) {
            toClose.get(i).close();
        }
    }

    private Datalake lake() {
        database = "processors_" + DATABASES.incrementAndGet();
        Datalake lake = Datalakes.create(DatalakeSettings.builder().mongoUri(connectionString()).database(database)
                .build());
        toClose.add(lake);
        return lake;
    }

    private MongoCollection<Document> raw(String suffix) {
        MongoClient client = MongoClients.create(connectionString());
        toClose.add(client);
        return client.getDatabase(database).getCollection(DatalakeSettings.DEFAULT_COLLECTION + suffix);
    }

    private static List<ObjectId> images(Datalake lake, int n) {
        return lake.addData(Flux.range(0, n).map(i -> NewDatum.of(Map.of("type", "image", "n", i), Map.of())))
                .map(Datum::id).collectList().block();
    }

    private static NewDatum label(ProcessorRow row) {
        return NewDatum.builder().data(Map.of("type", "label", "of", row.input().data().toString()))
                .derivedFrom(row.inputId()).build();
    }

    private static Processor labeller(String version, Function<ProcessorRow, Publisher<NewDatum>> fn) {
        return Processor.builder("labeller", version).input(ProcessorInput.missing(Query.fromJson(UNLABELLED)))
                .function(fn).build();
    }

    private static Processor labeller(Function<ProcessorRow, Publisher<NewDatum>> fn) {
        return labeller("v1", fn);
    }

    private static Processor matching(String name, String version, Function<ProcessorRow, Publisher<NewDatum>> fn) {
        return Processor.builder(name, version).input(ProcessorInput.matching("{\"data.type\": \"image\"}"))
                .function(fn).build();
    }

    private static ProcessorOptions.Builder fast() {
        return ProcessorOptions.builder().backoff(Duration.ofMillis(1), Duration.ofMillis(5))
                .pollInterval(Duration.ofMillis(50));
    }

    private static ProcessorMetrics finish(ProcessorRun run) {
        return run.completion().block(WAIT);
    }

    /** Outputs of a processor version per input, read from the stored documents. */
    private Map<ObjectId, Integer> outputsPerInput(String name, String version) {
        Map<ObjectId, Integer> counts = new HashMap<>();
        for (Document d : raw("").find(new Document("metadata.processor.name", name)
                .append("metadata.processor.version", version))) {
            Document stamp = d.get("metadata", Document.class).get("processor", Document.class);
            counts.merge(stamp.getObjectId("input"), 1, Integer::sum);
            assertThat(d.get("derived_from")).isEqualTo(stamp.getObjectId("input"));
        }
        return counts;
    }

    private static void assertOnePerInput(Map<ObjectId, Integer> outputs, List<ObjectId> inputs) {
        assertThat(outputs.keySet()).containsExactlyInAnyOrderElementsOf(inputs);
        assertThat(outputs.values()).allMatch(n -> n == 1);
    }

    private Document lease(String key, ObjectId input) {
        return raw(".processorLeases").find(new Document("_id", key + "/" + input.toHexString())).first();
    }

    @Test
    void aBackfillProcessesEveryInputOnceAndStampsItsOutputs() {
        Datalake lake = lake();
        List<ObjectId> inputs = images(lake, 150);
        Set<Map<String, ObjectId>> rows = ConcurrentHashMap.newKeySet();
        ProcessorRun run = lake.processors().backfill(labeller(row -> {
            rows.add(row.columns());
            assertThat(row.attempt()).isEqualTo(1);
            return Mono.just(label(row));
        }), fast().batchSize(16).build());

        ProcessorMetrics m = finish(run);

        assertOnePerInput(outputsPerInput("labeller", "v1"), inputs);
        assertThat(rows).hasSize(150).allMatch(r -> r.keySet().equals(Set.of("image")));
        assertThat(m.seen()).isEqualTo(150);
        assertThat(m.done()).isEqualTo(150);
        assertThat(m.duplicatesSkipped()).isZero();
        assertThat(m.failedAttempts()).isZero();
        assertThat(m.inFlight()).isZero();
        assertThat(m.lag()).isEqualTo(Duration.ZERO);
        Document lease = lease("labeller@v1", inputs.get(0));
        assertThat(lease.getString("state")).isEqualTo("DONE");
        assertThat(lease.getInteger("attempts")).isEqualTo(1);
        assertThat(lease.getInteger("outputs")).isEqualTo(1);
        // The output with the reserved id is output #0.
        Document out = raw("").find(new Document("_id", lease.getObjectId("anchor"))).first();
        assertThat(out).isNotNull();
        assertThat(out.get("derived_from")).isEqualTo(inputs.get(0));

        // Nothing is left: a second backfill sees no input (the missing query is empty) and writes nothing.
        ProcessorMetrics again = finish(lake.processors().backfill(labeller(row -> Mono.just(label(row))),
                fast().build()));
        assertThat(again.seen()).isZero();
        assertThat(again.done()).isZero();
        assertOnePerInput(outputsPerInput("labeller", "v1"), inputs);
    }

    @Test
    void threeConcurrentRunsStoreExactlyOneResultPerInput() {
        Datalake lake = lake();
        List<ObjectId> inputs = images(lake, 300);
        AtomicInteger calls = new AtomicInteger();
        Function<ProcessorRow, Publisher<NewDatum>> slow = row -> {
            calls.incrementAndGet();
            return Mono.delay(Duration.ofMillis(row.inputId().hashCode() & 3)).map(t -> label(row));
        };
        List<ProcessorRun> runs = new ArrayList<>();
        for (int w = 0; w < 3; w++) {
            runs.add(lake.processors().backfill(labeller(slow), fast().batchSize(8).concurrency(4)
                    .workerId("w" + w).build()));
        }
        long done = 0;
        long dups = 0;
        for (ProcessorRun run : runs) {
            ProcessorMetrics m = finish(run);
            done += m.done();
            dups += m.duplicatesSkipped();
        }

        assertOnePerInput(outputsPerInput("labeller", "v1"), inputs);
        assertThat(done).isEqualTo(300);
        assertThat(calls.get()).isEqualTo(300 + (int) dups);
        assertThat(lake.processors().status("labeller", "v1").block().done()).isEqualTo(300);
    }

    @Test
    void concurrentRunsOnAMatchingInputAlsoStoreOneResultPerInput() {
        Datalake lake = lake();
        List<ObjectId> inputs = images(lake, 120);
        Processor p = matching("tagger", "v1", row -> Mono.just(label(row)));
        ProcessorRun a = lake.processors().backfill(p, fast().batchSize(5).workerId("a").build());
        ProcessorRun b = lake.processors().backfill(p, fast().batchSize(7).workerId("b").build());

        long done = finish(a).done() + finish(b).done();

        assertOnePerInput(outputsPerInput("tagger", "v1"), inputs);
        assertThat(done).isEqualTo(120);
    }

    @Test
    void anInputWhoseResultWasStoredByAWorkerThatDiedIsDoneWithoutRunningTheFunctionAgain() {
        Datalake lake = lake();
        List<ObjectId> inputs = images(lake, 10);
        ObjectId crashed = inputs.get(3);
        ObjectId anchor = new ObjectId();
        // A dead worker: took the lease, stored its result under the anchor, died before marking it done.
        raw(".processorLeases").insertOne(new Document("_id", "tagger@v1/" + crashed.toHexString())
                .append("p", "tagger@v1").append("input", crashed).append("state", "LEASED")
                .append("owner", "dead").append("take", "dead/1").append("until", new Date(0))
                .append("attempts", 1).append("failures", 0).append("anchor", anchor));
        lake.addDatum(NewDatum.builder().id(anchor).data(Map.of("type", "label")).derivedFrom(crashed)
                .metadata(Map.of()).build()).block();
        Set<ObjectId> called = ConcurrentHashMap.newKeySet();

        ProcessorMetrics m = finish(lake.processors().backfill(matching("tagger", "v1", row -> {
            called.add(row.inputId());
            return Mono.just(label(row));
        }), fast().build()));

        assertThat(called).hasSize(9).doesNotContain(crashed);
        assertThat(m.duplicatesSkipped()).isEqualTo(1);
        assertThat(m.done()).isEqualTo(10);
        assertThat(lease("tagger@v1", crashed).getString("state")).isEqualTo("DONE");
        assertThat(raw("").countDocuments(new Document("derived_from", crashed))).isEqualTo(1);
    }

    @Test
    void aSecondResultIsRefusedByTheAnchorAndCountedAsADuplicate() {
        Datalake lake = lake();
        List<ObjectId> inputs = images(lake, 5);
        ObjectId raced = inputs.get(2);
        ObjectId anchor = new ObjectId();
        raw(".processorLeases").insertOne(new Document("_id", "tagger@v1/" + raced.toHexString())
                .append("p", "tagger@v1").append("input", raced).append("state", "PENDING")
                .append("until", new Date(0)).append("attempts", 0).append("failures", 0).append("anchor", anchor));

        ProcessorMetrics m = finish(lake.processors().backfill(matching("tagger", "v1", row -> {
            if (row.inputId().equals(raced)) {
                // Another attempt's result lands while this one runs.
                return lake.addDatum(NewDatum.builder().id(anchor).data(Map.of("type", "label", "by", "other"))
                        .derivedFrom(raced).build()).thenReturn(label(row));
            }
            return Mono.just(label(row));
        }), fast().build()));

        assertThat(m.duplicatesSkipped()).isEqualTo(1);
        assertThat(m.done()).isEqualTo(5);
        assertThat(m.failedAttempts()).isZero();
        assertThat(raw("").countDocuments(new Document("derived_from", raced))).isEqualTo(1);
        assertThat(raw("").find(new Document("derived_from", raced)).first().get("data", Document.class)
                .getString("by")).isEqualTo("other");
        assertThat(lease("tagger@v1", raced).getString("state")).isEqualTo("DONE");
    }

    @Test
    void theLeaseOfAWorkerThatDiedIsTakenOverWhenItExpires() {
        Datalake lake = lake();
        List<ObjectId> inputs = images(lake, 6);
        ObjectId held = inputs.get(0);
        Instant until = Instant.now().plusMillis(1500);
        raw(".processorLeases").insertOne(new Document("_id", "labeller@v1/" + held.toHexString())
                .append("p", "labeller@v1").append("input", held).append("state", "LEASED")
                .append("owner", "dead").append("take", "dead/1").append("until", Date.from(until))
                .append("attempts", 1).append("failures", 0).append("anchor", new ObjectId()));

        ProcessorMetrics m = finish(lake.processors().backfill(labeller(row -> Mono.just(label(row))),
                fast().build()));

        assertThat(Instant.now()).isAfterOrEqualTo(until);
        assertOnePerInput(outputsPerInput("labeller", "v1"), inputs);
        assertThat(m.done()).isEqualTo(6);
        assertThat(lease("labeller@v1", held).getInteger("attempts")).isEqualTo(2);
    }

    @Test
    void transientFailuresAreRetriedWithinTheAttempt() {
        Datalake lake = lake();
        List<ObjectId> inputs = images(lake, 12);
        Map<ObjectId, AtomicInteger> calls = new ConcurrentHashMap<>();

        ProcessorMetrics m = finish(lake.processors().backfill(labeller(row -> {
            int call = calls.computeIfAbsent(row.inputId(), k -> new AtomicInteger()).incrementAndGet();
            if (call <= 2) {
                return Mono.error(new DatalakeTransientException("model server busy", null));
            }
            return Mono.just(label(row));
        }), fast().maxRetries(3).build()));

        assertOnePerInput(outputsPerInput("labeller", "v1"), inputs);
        assertThat(m.retries()).isEqualTo(24);
        assertThat(m.failedAttempts()).isZero();
        assertThat(m.done()).isEqualTo(12);
    }

    @Test
    void anAttemptWhoseRetriesRunOutIsTriedAgainLaterUntilItSucceeds() {
        Datalake lake = lake();
        List<ObjectId> inputs = images(lake, 4);
        Map<ObjectId, AtomicInteger> calls = new ConcurrentHashMap<>();

        ProcessorMetrics m = finish(lake.processors().backfill(labeller(row -> {
            int call = calls.computeIfAbsent(row.inputId(), k -> new AtomicInteger()).incrementAndGet();
            assertThat(row.attempt()).isEqualTo(call);
            return call <= 2 ? Mono.error(new DatalakeTransientException("flaky", null)) : Mono.just(label(row));
        }), fast().maxRetries(0).maxAttempts(3).build()));

        assertOnePerInput(outputsPerInput("labeller", "v1"), inputs);
        assertThat(m.failedAttempts()).isEqualTo(8);
        assertThat(m.deadLettered()).isZero();
        Document lease = lease("labeller@v1", inputs.get(0));
        assertThat(lease.getInteger("attempts")).isEqualTo(3);
        assertThat(lease.getInteger("failures")).isEqualTo(2);
    }

    @Test
    void aFunctionThatNeverCompletesTimesOutAndBecomesADeadLetterInsteadOfHoldingItsInputForEver() {
        Datalake lake = lake();
        List<ObjectId> inputs = images(lake, 6);
        ObjectId hung = inputs.get(2);

        ProcessorMetrics m = finish(lake.processors().backfill(labeller(row -> row.inputId().equals(hung)
                ? Mono.never() : Mono.just(label(row))),
                fast().attemptTimeout(Duration.ofMillis(200)).maxRetries(1).maxAttempts(2).build()));

        assertThat(m.done()).isEqualTo(5);
        assertThat(m.deadLettered()).isEqualTo(1);
        assertThat(m.retries()).isEqualTo(2);
        DeadLetter dead = lake.processors().deadLetters("labeller", "v1").blockFirst();
        assertThat(dead.input()).isEqualTo(hung);
        assertThat(dead.errorType()).isEqualTo(io.datalake.DatalakeTimeoutException.class.getName());
        assertThat(dead.errorMessage()).contains(hung.toHexString()).contains("attemptTimeout");
        assertThat(dead.failures()).isEqualTo(2);
    }

    @Test
    void aNonTransientErrorMakesADeadLetterAtOnce() {
        Datalake lake = lake();
        List<ObjectId> inputs = images(lake, 20);
        Set<ObjectId> poisoned = Set.of(inputs.get(1), inputs.get(7), inputs.get(19));

        ProcessorMetrics m = finish(lake.processors().backfill(labeller(row -> poisoned.contains(row.inputId())
                ? Mono.error(new IllegalStateException("cannot decode image")) : Mono.just(label(row))),
                fast().build()));

        assertThat(m.deadLettered()).isEqualTo(3);
        assertThat(m.failedAttempts()).isEqualTo(3);
        assertThat(m.done()).isEqualTo(17);
        List<DeadLetter> dead = lake.processors().deadLetters("labeller", "v1").collectList().block();
        assertThat(dead).extracting(DeadLetter::input).containsExactlyInAnyOrderElementsOf(poisoned);
        assertThat(dead).allSatisfy(d -> {
            assertThat(d.errorType()).isEqualTo(IllegalStateException.class.getName());
            assertThat(d.errorMessage()).isEqualTo("cannot decode image");
            assertThat(d.attempts()).isEqualTo(1);
            assertThat(d.failures()).isEqualTo(1);
            assertThat(d.processor()).isEqualTo("labeller");
            assertThat(d.version()).isEqualTo("v1");
        });
        assertThat(outputsPerInput("labeller", "v1").keySet()).hasSize(17).doesNotContainAnyElementsOf(poisoned);
    }

    @Test
    void anInputThatKeepsFailingBecomesADeadLetterAfterMaxAttempts() {
        Datalake lake = lake();
        images(lake, 3);
        AtomicInteger calls = new AtomicInteger();

        ProcessorMetrics m = finish(lake.processors().backfill(labeller(row -> {
            calls.incrementAndGet();
            return Mono.error(new DatalakeTransientException("always down", null));
        }), fast().maxRetries(1).maxAttempts(2).build()));

        assertThat(calls.get()).isEqualTo(3 * 2 * 2);
        assertThat(m.retries()).isEqualTo(6);
        assertThat(m.failedAttempts()).isEqualTo(6);
        assertThat(m.deadLettered()).isEqualTo(3);
        assertThat(m.done()).isZero();
        assertThat(lake.processors().deadLetters("labeller", "v1").collectList().block()).hasSize(3)
                .allSatisfy(d -> {
                    assertThat(d.attempts()).isEqualTo(2);
                    assertThat(d.failures()).isEqualTo(2);
                    assertThat(d.errorType()).isEqualTo(DatalakeTransientException.class.getName());
                });
    }

    @Test
    void deadLettersPutBackAreProcessedByTheNextRun() {
        Datalake lake = lake();
        List<ObjectId> inputs = images(lake, 6);
        AtomicBoolean broken = new AtomicBoolean(true);
        Set<ObjectId> buggy = Set.of(inputs.get(2), inputs.get(4));
        Processor p = labeller(row -> broken.get() && buggy.contains(row.inputId())
                ? Mono.error(new IllegalArgumentException("bug")) : Mono.just(label(row)));
        finish(lake.processors().backfill(p, fast().build()));
        assertThat(lake.processors().status("labeller", "v1").block().deadLetters()).isEqualTo(2);

        broken.set(false);
        assertThat(lake.processors().retryDeadLetters("labeller", "v1", List.of(inputs.get(2), new ObjectId()))
                .block()).isEqualTo(1);
        ProcessorMetrics m = finish(lake.processors().backfill(p, fast().build()));
        assertThat(m.done()).isEqualTo(1);
        assertThat(lake.processors().status("labeller", "v1").block().deadLetters()).isEqualTo(1);

        assertThat(lake.processors().retryDeadLetters("labeller", "v1", null).block()).isEqualTo(1);
        assertThat(lease("labeller@v1", inputs.get(4)).getInteger("attempts")).isZero();
        finish(lake.processors().backfill(p, fast().build()));
        assertOnePerInput(outputsPerInput("labeller", "v1"), inputs);
        assertThat(lake.processors().deadLetters("labeller", "v1").collectList().block()).isEmpty();
    }

    @Test
    void aNewVersionProcessesEveryInputAgainAndAnUnchangedOneNothing() {
        Datalake lake = lake();
        List<ObjectId> inputs = images(lake, 8);
        finish(lake.processors().backfill(matching("tagger", "v1", row -> Mono.just(label(row))), fast().build()));
        ProcessorMetrics same = finish(lake.processors().backfill(matching("tagger", "v1",
                row -> Mono.just(label(row))), fast().build()));
        ProcessorMetrics bumped = finish(lake.processors().backfill(matching("tagger", "v2",
                row -> Mono.just(label(row))), fast().build()));

        assertThat(same.seen()).isEqualTo(8);
        assertThat(same.done()).isZero();
        assertThat(bumped.done()).isEqualTo(8);
        assertOnePerInput(outputsPerInput("tagger", "v1"), inputs);
        assertOnePerInput(outputsPerInput("tagger", "v2"), inputs);
    }

    @Test
    void anOutputThatSetsTheReservedMetadataKeyIsRefused() {
        Datalake lake = lake();
        List<ObjectId> inputs = images(lake, 2);

        ProcessorMetrics m = finish(lake.processors().backfill(labeller(row -> Mono.just(NewDatum.builder()
                .data(Map.of("type", "label")).metadata(Map.of("processor", "mine")).derivedFrom(row.inputId())
                .build())), fast().build()));

        assertThat(m.deadLettered()).isEqualTo(2);
        assertThat(lake.processors().deadLetters("labeller", "v1").collectList().block()).allSatisfy(d -> {
            assertThat(d.errorType()).isEqualTo(InvalidArgumentException.class.getName());
            assertThat(d.errorMessage()).contains("metadata.processor");
        });
        assertThat(raw("").countDocuments(new Document("derived_from", inputs.get(0)))).isZero();
    }

    @Test
    void anOutputZeroThatChoosesItsIdIsRefusedButLaterOutputsMay() {
        Datalake lake = lake();
        List<ObjectId> inputs = images(lake, 1);
        ObjectId chosen = new ObjectId();

        ProcessorMetrics refused = finish(lake.processors().backfill(matching("a", "v1", row -> Mono.just(
                NewDatum.builder().id(chosen).data(1).derivedFrom(row.inputId()).build())), fast().build()));
        ProcessorMetrics chain = finish(lake.processors().backfill(matching("b", "v1", row -> Flux.just(
                NewDatum.builder().data(1).derivedFrom(row.inputId()).build(),
                NewDatum.builder().id(chosen).data(2).derivedFrom(row.inputId()).build())), fast().build()));

        assertThat(refused.deadLettered()).isEqualTo(1);
        assertThat(chain.done()).isEqualTo(1);
        assertThat(lake.getDatum(chosen, false).block().metadata()).containsKey("processor");
        assertThat(lease("b@v1", inputs.get(0)).getInteger("outputs")).isEqualTo(2);
    }

    @Test
    void aFunctionThatReturnsNothingMarksTheInputDone() {
        Datalake lake = lake();
        List<ObjectId> inputs = images(lake, 7);

        ProcessorMetrics m = finish(lake.processors().backfill(matching("filter", "v1", row -> Flux.empty()),
                fast().build()));
        ProcessorMetrics again = finish(lake.processors().backfill(matching("filter", "v1", row -> Flux.empty()),
                fast().build()));

        assertThat(m.done()).isEqualTo(7);
        assertThat(again.done()).isZero();
        assertThat(again.seen()).isEqualTo(7);
        assertThat(raw("").countDocuments()).isEqualTo(7);
        assertThat(lease("filter@v1", inputs.get(6)).getInteger("outputs")).isZero();
        assertThat(lake.processors().status("filter", "v1").block().done()).isEqualTo(7);
    }

    @Test
    void stopReleasesTheLeasesSoAnotherRunTakesThemAtOnce() {
        Datalake lake = lake();
        List<ObjectId> inputs = images(lake, 10);
        AtomicInteger started = new AtomicInteger();
        ProcessorRun stuck = lake.processors().backfill(labeller(row -> {
            started.incrementAndGet();
            return Mono.never();
        }), fast().concurrency(3).batchSize(5).build());
        Mono.delay(Duration.ofMillis(10)).repeat().takeUntil(t -> started.get() == 3).blockLast(WAIT);
        assertThat(stuck.metrics().inFlight()).isEqualTo(5);

        ProcessorMetrics stopped = stuck.stop(Duration.ofMillis(100)).block(WAIT);

        assertThat(stopped.done()).isZero();
        assertThat(raw(".processorLeases").countDocuments(new Document("state", "LEASED"))).isZero();
        // The default 60 s leases were given back: another run takes them at once.
        ProcessorMetrics next = lake.processors().backfill(labeller(row -> Mono.just(label(row))),
                fast().build()).completion().block(Duration.ofSeconds(20));
        assertThat(next.done()).isEqualTo(10);
        assertOnePerInput(outputsPerInput("labeller", "v1"), inputs);
    }

    @Test
    void closingTheLakeStopsItsRunsAndReleasesTheirLeases() {
        Datalake lake = lake();
        images(lake, 6);
        AtomicInteger started = new AtomicInteger();
        ProcessorRun stuck = lake.processors().run(labeller(row -> {
            started.incrementAndGet();
            return Mono.never();
        }), fast().concurrency(2).batchSize(3).build());
        Mono.delay(Duration.ofMillis(10)).repeat().takeUntil(t -> started.get() == 2).blockLast(WAIT);

        lake.close();

        assertThat(stuck.completion().block(WAIT).done()).isZero();
        assertThat(raw(".processorLeases").countDocuments(new Document("state", "LEASED"))).isZero();
    }

    @Test
    void stopLetsInFlightInputsFinishWithinTheGracePeriod() {
        Datalake lake = lake();
        List<ObjectId> inputs = images(lake, 20);
        AtomicInteger started = new AtomicInteger();
        ProcessorRun run = lake.processors().backfill(labeller(row -> {
            started.incrementAndGet();
            return Mono.delay(Duration.ofMillis(300)).map(t -> label(row));
        }), fast().concurrency(2).batchSize(4).build());
        Mono.delay(Duration.ofMillis(10)).repeat().takeUntil(t -> started.get() >= 2).blockLast(WAIT);

        ProcessorMetrics stopped = run.stop(Duration.ofSeconds(20)).block(WAIT);

        assertThat(stopped.done()).isEqualTo(started.get());
        assertThat(stopped.done()).isLessThan(20);
        assertThat(stopped.inFlight()).isZero();
        assertThat(outputsPerInput("labeller", "v1")).hasSize((int) stopped.done());
        assertThat(raw(".processorLeases").countDocuments(new Document("state", "LEASED"))).isZero();
        run.close();
        finish(lake.processors().backfill(labeller(row -> Mono.just(label(row))), fast().build()));
        assertOnePerInput(outputsPerInput("labeller", "v1"), inputs);
    }

    @Test
    void metricsCountEveryOutcomeExactly() {
        Datalake lake = lake();
        List<ObjectId> inputs = images(lake, 30);
        Set<ObjectId> bad = Set.of(inputs.get(0), inputs.get(10), inputs.get(20));
        Set<ObjectId> flaky = Set.of(inputs.get(5), inputs.get(15));
        Set<ObjectId> failedOnce = ConcurrentHashMap.newKeySet();

        ProcessorRun run = lake.processors().backfill(labeller(row -> {
            if (bad.contains(row.inputId())) {
                return Mono.error(new IllegalStateException("bad"));
            }
            if (flaky.contains(row.inputId()) && failedOnce.add(row.inputId())) {
                return Mono.error(new DatalakeTransientException("flaky", null));
            }
            return Mono.just(label(row));
        }), fast().batchSize(7).build());
        List<ProcessorMetrics> snapshots = run.metrics(Duration.ofMillis(5)).collectList().block(WAIT);
        ProcessorMetrics m = run.metrics();

        assertThat(snapshots).isNotEmpty();
        assertThat(snapshots.get(snapshots.size() - 1).done()).isEqualTo(m.done());
        assertThat(m.seen()).isEqualTo(30);
        assertThat(m.done()).isEqualTo(27);
        assertThat(m.duplicatesSkipped()).isZero();
        assertThat(m.retries()).isEqualTo(2);
        assertThat(m.failedAttempts()).isEqualTo(3);
        assertThat(m.deadLettered()).isEqualTo(3);
        assertThat(m.inFlight()).isZero();
        assertThat(m.ratePerSecond()).isPositive();
        assertThat(m.startedAt()).isBeforeOrEqualTo(Instant.now());
    }

    @Test
    void malformedLeaseDocumentsAreSkippedAndTheRunCarriesOn() {
        Datalake lake = lake();
        List<ObjectId> inputs = images(lake, 6);
        MongoCollection<Document> leases = raw(".processorLeases");
        leases.insertOne(new Document("_id", "tagger@v1/" + inputs.get(0).toHexString()).append("p", "tagger@v1")
                .append("input", inputs.get(0)).append("state", 12).append("anchor", new ObjectId()));
        leases.insertOne(new Document("_id", "tagger@v1/" + inputs.get(1).toHexString()).append("p", "tagger@v1")
                .append("input", inputs.get(1)).append("state", "PENDING").append("anchor", "not-an-id"));
        leases.insertOne(new Document("_id", "tagger@v1/" + inputs.get(2).toHexString()).append("p", "tagger@v1")
                .append("input", inputs.get(3)).append("state", "DONE").append("anchor", new ObjectId()));
        leases.insertOne(new Document("_id", "tagger@v1/junk").append("p", "tagger@v1").append("state", "DEAD"));

        ProcessorMetrics m = finish(lake.processors().backfill(matching("tagger", "v1", row -> Mono.just(label(row))),
                fast().build()));

        assertThat(m.done()).isEqualTo(3);
        assertThat(outputsPerInput("tagger", "v1").keySet())
                .containsExactlyInAnyOrder(inputs.get(3), inputs.get(4), inputs.get(5));
        ProcessorStatus status = lake.processors().status("tagger", "v1").block();
        assertThat(status.done()).isEqualTo(4);
        assertThat(lake.processors().deadLetters("tagger", "v1").collectList().block()).isEmpty();
    }

    @Test
    void listAndStatusCountTheLeasesOfEveryVersion() {
        Datalake lake = lake();
        List<ObjectId> inputs = images(lake, 10);
        Processors processors = lake.processors();
        finish(processors.backfill(matching("tagger", "v2", row -> row.inputId().equals(inputs.get(0))
                ? Mono.error(new IllegalStateException("x")) : Mono.just(label(row))), fast().build()));
        finish(processors.backfill(matching("tagger", "v1", row -> Mono.just(label(row))), fast().build()));
        raw(".processorLeases").insertOne(new Document("_id", "tagger@v1/" + new ObjectId().toHexString())
                .append("p", "tagger@v1").append("state", "LEASED").append("until", Date.from(Instant.now()
                        .plusSeconds(600))));
        raw(".processors").insertOne(new Document("_id", "broken").append("name", 3));

        List<ProcessorStatus> all = processors.list().collectList().block();

        assertThat(all).extracting(ProcessorStatus::key).containsExactly("tagger@v1", "tagger@v2");
        ProcessorStatus v1 = all.get(0);
        assertThat(v1.done()).isEqualTo(10);
        assertThat(v1.leased()).isEqualTo(1);
        assertThat(v1.waiting()).isZero();
        assertThat(v1.deadLetters()).isZero();
        assertThat(v1.input()).isEqualTo("{\"data.type\": \"image\"}");
        assertThat(v1.lastActiveAt()).isNotNull();
        ProcessorStatus v2 = all.get(1);
        assertThat(v2.done()).isEqualTo(9);
        assertThat(v2.deadLetters()).isEqualTo(1);
        assertThat(processors.status("tagger", "v3").blockOptional()).isEmpty();
        assertThatThrownBy(() -> processors.status("tagger", "bad version")).isInstanceOf(
                InvalidArgumentException.class).hasMessageContaining("bad version");
    }

    @Test
    void aRefusedInputQueryFailsTheStartBeforeAnythingIsWritten() {
        Datalake lake = lake();
        images(lake, 2);
        Processor p = Processor.builder("bad", "v1")
                .input(ProcessorInput.matching("{\"$where\": \"sleep(100)\"}"))
                .function(row -> Flux.empty()).build();

        assertThatThrownBy(() -> lake.processors().backfill(p, fast().build()))
                .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("$where");
        assertThat(raw(".processors").countDocuments()).isZero();
        assertThat(raw(".processorLeases").countDocuments()).isZero();
    }

    @Test
    void aBackfillOfAnEmptyLakeCompletesAtOnce() {
        Datalake lake = lake();
        ProcessorMetrics m = finish(lake.processors().backfill(labeller(row -> Mono.just(label(row))),
                ProcessorOptions.defaults()));
        assertThat(m.seen()).isZero();
        assertThat(m.done()).isZero();
        assertThat(lake.processors().status("labeller", "v1").block().done()).isZero();
    }

    /** Waits (polling, bounded) until {@code condition} holds. */
    private static void await(java.util.function.BooleanSupplier condition) {
        Mono.delay(Duration.ofMillis(20)).repeat().takeUntil(t -> condition.getAsBoolean()).blockLast(WAIT);
        assertThat(condition.getAsBoolean()).isTrue();
    }

    @Test
    void aContinuousRunProcessesCurrentInputsThenNewOnesAsTheyArrive() {
        Datalake lake = lake();
        List<ObjectId> inputs = new ArrayList<>(images(lake, 20));
        ProcessorRun run = lake.processors().run(labeller(row -> Mono.just(label(row))), fast().build());
        await(() -> run.metrics().done() == 20);

        inputs.addAll(images(lake, 15));
        lake.addDatum(Map.of("type", "text"), Map.of()).block();
        await(() -> run.metrics().done() == 35);
        ProcessorMetrics m = run.stop(Duration.ofSeconds(10)).block(WAIT);

        assertOnePerInput(outputsPerInput("labeller", "v1"), inputs);
        assertThat(m.done()).isEqualTo(35);
        assertThat(m.inFlight()).isZero();
        assertThat(run.completion().block(WAIT).done()).isEqualTo(35);
    }

    @Test
    void twoContinuousRunsAndAWriterStoreExactlyOneResultPerInput() {
        Datalake lake = lake();
        List<ObjectId> inputs = new ArrayList<>(images(lake, 50));
        Processor p = matching("tagger", "v1", row -> Mono.delay(Duration.ofMillis(row.inputId().hashCode() & 3))
                .map(t -> label(row)));
        ProcessorRun a = lake.processors().run(p, fast().batchSize(8).workerId("a").build());
        ProcessorRun b = lake.processors().run(p, fast().batchSize(5).workerId("b").build());
        for (int i = 0; i < 10; i++) {
            inputs.addAll(images(lake, 10));
        }
        await(() -> a.metrics().done() + b.metrics().done() == 150);
        a.close();
        b.close();

        assertOnePerInput(outputsPerInput("tagger", "v1"), inputs);
        assertThat(lake.processors().status("tagger", "v1").block().done()).isEqualTo(150);
    }

    @Test
    void aContinuousRunPicksUpDeadLettersPutBackAndExpiredLeasesAtItsNextRescan() {
        Datalake lake = lake();
        List<ObjectId> inputs = images(lake, 5);
        AtomicBoolean broken = new AtomicBoolean(true);
        ObjectId held = inputs.get(4);
        raw(".processorLeases").insertOne(new Document("_id", "labeller@v1/" + held.toHexString())
                .append("p", "labeller@v1").append("input", held).append("state", "LEASED")
                .append("owner", "dead").append("take", "dead/1")
                .append("until", Date.from(Instant.now().plusMillis(500)))
                .append("attempts", 1).append("failures", 0).append("anchor", new ObjectId()));
        ProcessorRun run = lake.processors().run(labeller(row -> broken.get() && row.inputId().equals(inputs.get(0))
                ? Mono.error(new IllegalStateException("bug")) : Mono.just(label(row))),
                fast().rescanInterval(Duration.ofMillis(100)).build());
        await(() -> run.metrics().deadLettered() == 1 && run.metrics().done() == 4);

        broken.set(false);
        assertThat(lake.processors().retryDeadLetters("labeller", "v1", null).block()).isEqualTo(1);
        await(() -> run.metrics().done() == 5);
        run.close();

        assertOnePerInput(outputsPerInput("labeller", "v1"), inputs);
        assertThat(lease("labeller@v1", held).getInteger("attempts")).isEqualTo(2);
    }

    @Test
    void aContinuousRunOnAMissingQueryChecksEveryLevelForNewDatums() {
        Datalake lake = lake();
        ObjectId active = lake.addDatum(Map.of("type", "folder"), Map.of("active", true)).block().id();
        ObjectId inactive = lake.addDatum(Map.of("type", "folder"), Map.of("active", false)).block().id();
        // The input is the image column, level 1: a new image counts only in an active folder.
        Processor p = Processor.builder("labeller", "v1").input(ProcessorInput.missing(Query.fromJson("""
                [{"column": "folder", "data.type": "folder", "metadata.active": true},
                 {"column": "image", "derived_from": "folder", "data.type": "image"},
                 {"column": "label", "derived_from": "image", "data.type": "label", "strategy": "missing"}]""")))
                .function(row -> {
                    assertThat(row.columns()).containsOnlyKeys("folder", "image").containsEntry("folder", active);
                    return Mono.just(label(row));
                }).build();
        ProcessorRun run = lake.processors().run(p, fast().build());
        ObjectId ignored = lake.addDatum(Map.of("type", "image"), Map.of(), null, inactive).block().id();
        ObjectId image = lake.addDatum(Map.of("type", "image"), Map.of(), null, active).block().id();
        await(() -> run.metrics().done() == 1);
        ProcessorMetrics m = run.stop(Duration.ofSeconds(5)).block(WAIT);

        assertThat(outputsPerInput("labeller", "v1")).containsOnlyKeys(image);
        assertThat(raw("").countDocuments(new Document("derived_from", ignored))).isZero();
        assertThat(m.deadLettered()).isZero();
    }

    @Test
    void aRunningWorkerRenewsItsLeasesSoNoOtherWorkerTakesASlowInput() {
        Datalake lake = lake();
        List<ObjectId> inputs = images(lake, 3);
        Map<ObjectId, AtomicInteger> calls = new ConcurrentHashMap<>();
        Function<ProcessorRow, Publisher<NewDatum>> slow = row -> {
            calls.computeIfAbsent(row.inputId(), k -> new AtomicInteger()).incrementAndGet();
            return Mono.delay(Duration.ofMillis(2500)).map(t -> label(row));
        };
        ProcessorOptions oneSecondLeases = fast().leaseDuration(Duration.ofSeconds(1)).concurrency(3).build();
        ProcessorRun first = lake.processors().backfill(labeller(slow), oneSecondLeases);
        await(() -> calls.size() == 3);
        // Without renewal these 1 s leases would expire under the 2.5 s function and be taken over.
        ProcessorRun second = lake.processors().backfill(labeller(slow), oneSecondLeases);

        ProcessorMetrics m1 = finish(first);
        ProcessorMetrics m2 = finish(second);

        assertThat(calls.values()).allMatch(n -> n.get() == 1);
        assertThat(m1.done()).isEqualTo(3);
        assertThat(m2.done()).isZero();
        assertOnePerInput(outputsPerInput("labeller", "v1"), inputs);
    }

    @Test
    void aFunctionThatBlocksDoesNotStallTheRun() {
        Datalake lake = lake();
        List<ObjectId> inputs = images(lake, 8);
        ProcessorMetrics m = finish(lake.processors().backfill(labeller(row -> {
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return Mono.just(label(row));
        }), fast().concurrency(4).build()));
        assertThat(m.done()).isEqualTo(8);
        assertOnePerInput(outputsPerInput("labeller", "v1"), inputs);
    }

    @Test
    void theLeaseOfAWorkerThatDiedAfterStoringItsResultIsMarkedDoneThoughTheQueryNoLongerReturnsIt() {
        Datalake lake = lake();
        List<ObjectId> inputs = images(lake, 3);
        ObjectId crashed = inputs.get(1);
        ObjectId anchor = new ObjectId();
        raw(".processorLeases").insertOne(new Document("_id", "labeller@v1/" + crashed.toHexString())
                .append("p", "labeller@v1").append("input", crashed).append("state", "LEASED")
                .append("owner", "dead").append("take", "dead/1").append("until", new Date(0))
                .append("attempts", 1).append("failures", 0).append("anchor", anchor));
        lake.addDatum(NewDatum.builder().id(anchor).data(Map.of("type", "label")).derivedFrom(crashed).build())
                .block();

        ProcessorMetrics m = finish(lake.processors().backfill(labeller(row -> Mono.just(label(row))),
                fast().build()));

        assertThat(m.done()).isEqualTo(2);
        assertThat(lease("labeller@v1", crashed).getString("state")).isEqualTo("DONE");
        ProcessorStatus status = lake.processors().status("labeller", "v1").block();
        assertThat(status.done()).isEqualTo(3);
        assertThat(status.waiting()).isZero();
    }

    @Test
    void aContinuousRunTriesAFailedInputAgainWhenItIsDueNotAtTheNextFullRescan() {
        Datalake lake = lake();
        List<ObjectId> inputs = images(lake, 4);
        Map<ObjectId, AtomicInteger> calls = new ConcurrentHashMap<>();
        ProcessorRun run = lake.processors().run(labeller(row -> calls.computeIfAbsent(row.inputId(),
                k -> new AtomicInteger()).incrementAndGet() == 1
                ? Mono.error(new DatalakeTransientException("flaky", null)) : Mono.just(label(row))),
                fast().maxRetries(0).rescanInterval(Duration.ofHours(1)).build());

        await(() -> run.metrics().done() == 4);
        ProcessorMetrics m = run.stop(Duration.ofSeconds(5)).block(WAIT);

        assertThat(m.failedAttempts()).isEqualTo(4);
        assertOnePerInput(outputsPerInput("labeller", "v1"), inputs);
    }

    @Test
    void badArgumentsAreRefusedWithTypedErrors() {
        Datalake lake = lake();
        Processors processors = lake.processors();
        Processor p = labeller(row -> Mono.just(label(row)));
        assertThatThrownBy(() -> processors.backfill(null, ProcessorOptions.defaults()))
                .isInstanceOf(InvalidArgumentException.class);
        assertThatThrownBy(() -> processors.run(p, null)).isInstanceOf(InvalidArgumentException.class);
        List<ObjectId> withNull = new ArrayList<>();
        withNull.add(null);
        assertThatThrownBy(() -> processors.retryDeadLetters("labeller", "v1", withNull))
                .isInstanceOf(InvalidArgumentException.class);
        assertThatThrownBy(() -> processors.deadLetters("labeller", "v 1")).isInstanceOf(
                InvalidArgumentException.class);
        ProcessorRun run = processors.backfill(p, fast().build());
        assertThatThrownBy(() -> run.metrics(Duration.ZERO)).isInstanceOf(InvalidArgumentException.class);
        assertThatThrownBy(() -> run.stop(Duration.ofSeconds(-1))).isInstanceOf(InvalidArgumentException.class);
        run.close();
        assertThat(run.completion().block(WAIT).inFlight()).isZero();
        assertThat(raw(".processorLeases").countDocuments(new Document("state", "LEASED"))).isZero();
    }
}
