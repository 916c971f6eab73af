package io.datalake.mongo;

import static org.assertj.core.api.Assertions.assertThat;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.Projections;
import io.datalake.Datalake;
import io.datalake.DatalakeNonTransientException;
import io.datalake.DatalakeSettings;
import io.datalake.NewDatum;
import io.datalake.processor.DeadLetter;
import io.datalake.processor.Processor;
import io.datalake.processor.ProcessorStatus;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import org.bson.Document;
import org.bson.conversions.Bson;
import org.bson.types.ObjectId;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.publisher.Flux;

/**
 * The processor chaos run: three worker JVMs ({@link ProcessorChaosChild}) run the same processor continuously over
 * 10,000 inputs on one embedded server, a writer adds the last 3,000 while they run, the function fails transiently
 * on a tenth of its calls and for good on one input in a hundred, and one worker is killed with {@code kill -9}
 * while it holds leases, then restarted. Afterwards every input has exactly one output, except the always-failing
 * ones, which are exactly the dead letters.
 */
class EmbeddedProcessorChaosIT {
    private static final int INPUTS = 10_000;
    private static final int BEFORE_START = 7_000;
    private static final int WRITER_BATCH = 50;
    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final Duration DRAIN = Duration.ofSeconds(150);

    @TempDir
    Path dir;

    /** A worker JVM: its process, its standard output lines, its standard error in a file. */
    private final class Worker {
        final String id;
        final Process process;
        final Path log;
        final BlockingQueue<String> lines = new LinkedBlockingQueue<>();

        Worker(String id, DatalakeSettings settings) throws IOException {
            this.id = id;
            this.log = dir.resolve(id + ".log");
            String java = ProcessHandle.current().info().command().orElse("java");
            process = new ProcessBuilder(List.of(java, "-Xmx192m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                    // The worker's warnings (retries, dead letters, takeovers) go to its log for the failure message.
                    "-Dorg.slf4j.simpleLogger.log.io.datalake.mongo.internal.processor=warn",
                    "-Dorg.slf4j.simpleLogger.log.io.datalake.mongo.internal.feed=warn",
                    "-cp", System.getProperty("java.class.path"), ProcessorChaosChild.class.getName(),
                    settings.mongoUri(), settings.database(), id))
                    .redirectError(log.toFile()).start();
            Thread reader = new Thread(() -> {
                try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(),
                        StandardCharsets.UTF_8))) {
                    for (String l = out.readLine(); l != null; l = out.readLine()) {
                        lines.add(l);
                    }
                } catch (IOException e) {
                    // The process was killed: its output ends here.
                }
            }, "chaos-" + id + "-out");
            reader.setDaemon(true);
            reader.start();
        }

        String await(String prefix) throws InterruptedException {
            long deadline = System.nanoTime() + TIMEOUT.toNanos();
            while (System.nanoTime() < deadline) {
                String line = lines.poll(100, TimeUnit.MILLISECONDS);
                if (line != null && line.startsWith(prefix)) {
                    return line;
                }
                if (line == null && !process.isAlive() && lines.isEmpty()) {
                    break;
                }
            }
            throw new AssertionError("worker " + id + " did not print " + prefix + "; its log:\n" + logTail());
        }

        String stop() throws IOException, InterruptedException {
            try (Writer in = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8)) {
                in.write("STOP\n");
            }
            String stopped = await("STOPPED");
            assertThat(process.waitFor(30, TimeUnit.SECONDS)).as("worker %s exits", id).isTrue();
            assertThat(process.exitValue()).as("exit code of worker %s; log:%n%s", id, logTail()).isZero();
            return stopped;
        }

        String logTail() {
            try {
                String text = Files.readString(log, StandardCharsets.UTF_8);
                return text.length() > 6000 ? text.substring(text.length() - 6000) : text;
            } catch (IOException e) {
                return "(no log: " + e + ")";
            }
        }
    }

    private static List<NewDatum> inputs(int from, int to) {
        List<NewDatum> data = new ArrayList<>();
        for (int n = from; n < to; n++) {
            data.add(NewDatum.of(Map.of("type", ProcessorChaosChild.INPUT_TYPE, "n", n), Map.of()));
        }
        return data;
    }

    @Test
    void threeWorkersOneKilledLeaveExactlyOneOutputPerInputAndOnlyTheAlwaysFailingInputsAsDeadLetters()
            throws Exception {
        DatalakeSettings settings = TestLakes.freshSettings().build();
        List<Worker> workers = new ArrayList<>();
        try (Datalake lake = Datalakes.create(settings);
                MongoClient client = MongoClients.create(settings.mongoUri())) {
            MongoCollection<Document> datums = client.getDatabase(settings.database())
                    .getCollection(settings.collection());
            MongoCollection<Document> leases = client.getDatabase(settings.database())
                    .getCollection(settings.collection() + ".processorLeases");
            lake.addData(Flux.fromIterable(inputs(0, BEFORE_START))).blockLast(TIMEOUT);
            for (int w = 1; w <= 3; w++) {
                workers.add(new Worker("worker-" + w, settings));
            }
            for (Worker w : workers) {
                w.await("STARTED");
            }
            AtomicReference<Throwable> writerFailure = new AtomicReference<>();
            Thread writer = new Thread(() -> {
                try {
                    for (int from = BEFORE_START; from < INPUTS; from += WRITER_BATCH) {
                        lake.addData(Flux.fromIterable(inputs(from, Math.min(INPUTS, from + WRITER_BATCH))))
                                .blockLast(TIMEOUT);
                        Thread.sleep(50);
                    }
                } catch (Throwable e) {
                    writerFailure.set(e);
                }
            }, "chaos-writer");
            writer.start();

            // kill -9 in the middle of the run, while the worker holds leases; then a new JVM in its place.
            Worker victim = workers.get(1);
            long deadline = System.nanoTime() + DRAIN.toNanos();
            while (done(lake) < INPUTS / 4 && System.nanoTime() < deadline) {
                Thread.sleep(200);
            }
            // The kill lands while the victim holds leases (between batches it may hold none for a moment).
            long held = 0;
            while (held == 0 && System.nanoTime() < deadline) {
                held = leases.countDocuments(Filters.and(Filters.eq("state", "LEASED"), Filters.eq("owner",
                        victim.id)));
            }
            victim.process.destroyForcibly();
            assertThat(victim.process.waitFor(30, TimeUnit.SECONDS)).isTrue();
            long doneAtKill = done(lake);
            assertThat(held).as("the killed worker held leases (done at the kill: %d)", doneAtKill).isPositive();
            assertThat(doneAtKill).as("killed mid-run").isLessThan(INPUTS / 2);
            Worker restarted = new Worker("worker-2-restarted", settings);
            workers.add(restarted);
            restarted.await("STARTED");

            writer.join(DRAIN.toMillis());
            assertThat(writerFailure.get()).isNull();
            assertThat(writer.isAlive()).isFalse();

            // Drained: every input has its output or is a dead letter, counted in the collections themselves (the
            // status is checked on its own below). Duplicates would overshoot: they are counted per input below.
            Bson outputFilter = Filters.eq("data.type", ProcessorChaosChild.OUTPUT_TYPE);
            Bson deadFilter = Filters.eq("state", "DEAD");
            long settled = 0;
            while (System.nanoTime() < deadline) {
                settled = datums.countDocuments(outputFilter) + leases.countDocuments(deadFilter);
                if (settled >= INPUTS) {
                    break;
                }
                Thread.sleep(200);
            }
            String logs = workers.stream().map(w -> "--- " + w.id + "\n" + w.logTail())
                    .collect(Collectors.joining("\n"));
            assertThat(settled).as("outputs + dead letters within %s; logs:%n%s", DRAIN, logs).isEqualTo(INPUTS);
            // Leases finish moments after their outputs are stored.
            ProcessorStatus status = null;
            long settleDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (System.nanoTime() < settleDeadline) {
                status = lake.processors().status(ProcessorChaosChild.NAME, ProcessorChaosChild.VERSION)
                        .block(TIMEOUT);
                if (status != null && status.done() + status.deadLetters() == INPUTS) {
                    break;
                }
                Thread.sleep(200);
            }
            String unfinished = leases.find(Filters.nin("state", "DONE", "DEAD")).limit(20)
                    .into(new ArrayList<>()).stream()
                    .map(l -> "output #0 stored: " + (datums.countDocuments(Filters.eq("_id", l.get("anchor"))) > 0)
                            + " " + l.toJson())
                    .collect(Collectors.joining("\n"));
            List<String> stopped = new ArrayList<>();
            for (Worker w : workers) {
                if (w != victim) {
                    stopped.add(w.stop());
                }
            }

            Set<Integer> alwaysFailing = new HashSet<>();
            Map<ObjectId, Integer> numberOf = new HashMap<>();
            for (Document input : datums.find(Filters.eq("data.type", ProcessorChaosChild.INPUT_TYPE))
                    .projection(Projections.include("data.n"))) {
                int n = input.get("data", Document.class).getInteger("n");
                numberOf.put(input.getObjectId("_id"), n);
                if (ProcessorChaosChild.alwaysFails(n)) {
                    alwaysFailing.add(n);
                }
            }
            assertThat(numberOf).hasSize(INPUTS);

            Map<Integer, Integer> outputsPerInput = new HashMap<>();
            for (Document output : datums.find(Filters.eq("metadata." + Processor.OUTPUT_METADATA_KEY + ".name",
                    ProcessorChaosChild.NAME))) {
                Document meta = output.get("metadata", Document.class).get(Processor.OUTPUT_METADATA_KEY,
                        Document.class);
                ObjectId input = meta.getObjectId("input");
                assertThat(meta.getString("version")).isEqualTo(ProcessorChaosChild.VERSION);
                assertThat(output.getObjectId("derived_from")).as("output %s", output).isEqualTo(input);
                Integer n = numberOf.get(input);
                assertThat(n).as("output %s names an input of the run", output.getObjectId("_id")).isNotNull();
                assertThat(output.get("data", Document.class).getInteger("n")).isEqualTo(n);
                outputsPerInput.merge(n, 1, Integer::sum);
            }
            assertThat(outputsPerInput.entrySet().stream().filter(e -> e.getValue() > 1).map(Map.Entry::getKey)
                    .sorted().toList()).as("inputs with more than one output").isEmpty();
            Set<Integer> withoutOutput = new HashSet<>(numberOf.values());
            withoutOutput.removeAll(outputsPerInput.keySet());
            assertThat(withoutOutput).as("inputs without an output").isEqualTo(alwaysFailing);

            List<DeadLetter> deadLetters = Objects.requireNonNull(lake.processors().deadLetters(
                    ProcessorChaosChild.NAME, ProcessorChaosChild.VERSION).collectList().block(TIMEOUT));
            assertThat(deadLetters.stream().map(d -> numberOf.get(d.input())).collect(Collectors.toSet()))
                    .as("dead letters").isEqualTo(alwaysFailing);
            assertThat(deadLetters).hasSize(alwaysFailing.size()).allSatisfy(d -> {
                assertThat(d.errorType()).isEqualTo(DatalakeNonTransientException.class.getName());
                assertThat(d.errorMessage()).contains("the model refuses input");
                assertThat(d.failures()).isEqualTo(1);
            });
            // Every input's lease ends DONE or DEAD, also those whose output the killed worker stored without
            // recording it: the status of a drained processor shows nothing leased or waiting.
            assertThat(status).as("status").isNotNull();
            assertThat(List.of(status.done(), status.deadLetters(), status.leased(), status.waiting()))
                    .as("done, dead, leased, waiting of %s; unfinished leases:%n%s", status, unfinished)
                    .containsExactly((long) INPUTS - alwaysFailing.size(), (long) alwaysFailing.size(), 0L, 0L);
            assertThat(stopped).as("metrics of the surviving workers").allSatisfy(line ->
                    assertThat(line).contains("inFlight=0"));
        } finally {
            for (Worker w : workers) {
                w.process.destroyForcibly();
                w.process.waitFor(30, TimeUnit.SECONDS);
            }
        }
    }

    private static long done(Datalake lake) {
        ProcessorStatus status = lake.processors().status(ProcessorChaosChild.NAME, ProcessorChaosChild.VERSION)
                .block(TIMEOUT);
        return status == null ? 0 : status.done();
    }
}
