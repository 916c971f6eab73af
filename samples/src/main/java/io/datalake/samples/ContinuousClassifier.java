package io.datalake.samples;

import io.datalake.Datalake;
import io.datalake.DatalakeNonTransientException;
import io.datalake.DatalakeSettings;
import io.datalake.DatalakeTransientException;
import io.datalake.Datum;
import io.datalake.NewDatum;
import io.datalake.mongo.Datalakes;
import io.datalake.processor.DeadLetter;
import io.datalake.processor.Processor;
import io.datalake.processor.ProcessorInput;
import io.datalake.processor.ProcessorMetrics;
import io.datalake.processor.ProcessorOptions;
import io.datalake.processor.ProcessorRun;
import io.datalake.processor.ProcessorStatus;
import io.datalake.query.Query;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.stream.Collectors;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * A continuous classifier: the {@link ImagePipeline} loop as a processor. Two workers in one JVM run the same
 * processor version; each image gets exactly one classification by it, images that arrive while it runs are picked
 * up from the change feed, a transient model error is retried with backoff, and an image the model can never
 * classify becomes a dead letter instead of blocking the rest.
 *
 * <p><b>More JVMs.</b> Workers share the work through leases stored in the lake, not through anything in this JVM:
 * start the same processor (same name and version) in as many processes, on as many machines, as you like, all
 * pointed at the same MongoDB. {@code main} with a connection string runs one such worker until Ctrl-C:
 *
 * <pre>
 * mvn -B -q -f samples exec:java -Dexec.mainClass=io.datalake.samples.ContinuousClassifier \
 *     -Dexec.args="mongodb://db1:27017,db2:27017/?replicaSet=rs0 lake"
 * </pre>
 *
 * Each worker takes a batch of inputs at a time with a conditional update; a worker killed with {@code kill -9}
 * leaves leases that expire after {@link ProcessorOptions#leaseDuration()} (60 s by default), then another worker
 * takes them over; an attempt that was cut short can never store a second result. Keep the workers' clocks within
 * a small fraction of the lease duration of each other (NTP does). Watch them all with {@code datalake processors}.
 */
public final class ContinuousClassifier {
    /** The processor's name and version: bump the version with the model and every image is classified again. */
    static final String NAME = "classifier";
    static final String VERSION = "resnet-v2";
    /** Images a worker classifies at once. */
    static final int CONCURRENCY = 2;

    /** Images without a classification by this processor: the processor's input. */
    static final String UNCLASSIFIED = "["
            + "{\"data.type\": \"image\", \"column\": \"image\", \"strategy\": \"earliest\"},"
            + "{\"data.type\": \"classification\", \"metadata.model\": \"" + VERSION + "\","
            + " \"derived_from\": \"image\", \"column\": \"label\", \"strategy\": \"missing\"}]";

    private ContinuousClassifier() {
    }

    /**
     * Without arguments, runs the sample on an embedded lake; with a MongoDB connection string (and optionally a
     * database), runs one worker of the classifier against that lake until the JVM is stopped.
     *
     * @param args nothing, or {@code MONGO_URI [DATABASE]}
     * @throws InterruptedException if interrupted while running as a worker
     */
    public static void main(String[] args) throws InterruptedException {
        if (args.length == 0) {
            try (Datalake lake = Datalakes.embedded()) {
                run(lake, System.out);
            }
            return;
        }
        DatalakeSettings.Builder settings = DatalakeSettings.builder().mongoUri(args[0]);
        if (args.length > 1) {
            settings.database(args[1]);
        }
        worker(Datalakes.create(settings.build()), System.out);
    }

    /**
     * Runs one worker until the JVM shuts down (Ctrl-C, SIGTERM): on shutdown it stops taking inputs, lets those in
     * flight finish for up to 30 seconds and releases the rest, so other workers take them at once.
     *
     * @param lake the lake to work on; closed on shutdown
     * @param out where to print progress, every 10 seconds
     * @throws InterruptedException if interrupted
     */
    static void worker(Datalake lake, PrintStream out) throws InterruptedException {
        ProcessorRun run = lake.processors().run(classifier(Set.of()), ProcessorOptions.builder()
                .concurrency(CONCURRENCY).build());
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            ProcessorMetrics last = run.stop(Duration.ofSeconds(30)).block(Duration.ofSeconds(60));
            out.println("stopped: " + (last == null ? "-" : describe(last)));
            lake.close();
            stopped.countDown();
        }, "classifier-shutdown"));
        run.metrics(Duration.ofSeconds(10)).subscribe(m -> out.println(describe(m)));
        out.println("worker " + NAME + "@" + VERSION + " running; Ctrl-C stops it gracefully");
        stopped.await();
    }

    /**
     * Runs the sample on a lake and prints what happens.
     *
     * @param lake an empty lake
     * @param out where to print
     */
    public static void run(Datalake lake, PrintStream out) {
        List<Datum> images = new ArrayList<>(addImages(lake, 0, 6));
        out.println("added 6 images");

        // The model server is busy the first time it sees img_003 (a transient error: retried with backoff), and
        // img_007 is corrupt (a permanent error: a dead letter after one attempt).
        Processor classifier = classifier(ConcurrentHashMap.newKeySet());
        ProcessorOptions.Builder options = ProcessorOptions.builder().concurrency(CONCURRENCY)
                .backoff(Duration.ofMillis(50), Duration.ofSeconds(1));
        ProcessorRun a = lake.processors().run(classifier, options.workerId("worker-a").build());
        ProcessorRun b = lake.processors().run(classifier, options.workerId("worker-b").build());
        out.println("2 workers run " + NAME + "@" + VERSION + ", " + CONCURRENCY + " images at a time each");
        awaitSettled(lake, 6, out);

        images.addAll(addImages(lake, 6, 10));
        out.println("4 more images arrived while it runs");
        awaitSettled(lake, 10, out);

        ProcessorMetrics ma = Objects.requireNonNull(a.stop(Duration.ofSeconds(5)).block(Duration.ofSeconds(30)));
        ProcessorMetrics mb = Objects.requireNonNull(b.stop(Duration.ofSeconds(5)).block(Duration.ofSeconds(30)));
        out.println("stopped: " + (ma.done() + mb.done()) + " classified, " + (ma.retries() + mb.retries())
                + " transient error retried, " + (ma.deadLettered() + mb.deadLettered()) + " dead letter");

        // Each image with the labels derived from it: exactly one, or none for the dead letter.
        for (Datum image : images) {
            List<Datum> labels = Objects.requireNonNull(lake.getDirectlyDerivedData(image.id()).collectList()
                    .flatMapMany(lake::getData).collectList().block(Duration.ofMinutes(1)));
            out.println(ImagePipeline.path(image) + " -> " + (labels.isEmpty() ? "(none)" : labels.stream()
                    .map(l -> String.valueOf(((Map<?, ?>) Objects.requireNonNull(l.data(), "label")).get("label")))
                    .collect(Collectors.joining(", "))));
        }
        for (DeadLetter d : Objects.requireNonNull(lake.processors().deadLetters(NAME, VERSION).collectList()
                .block(Duration.ofMinutes(1)))) {
            Datum image = Objects.requireNonNull(lake.getDatum(d.input()).block(Duration.ofMinutes(1)));
            out.println("dead letter: " + ImagePipeline.path(image) + " after " + d.attempts() + " attempt: "
                    + d.errorType().substring(d.errorType().lastIndexOf('.') + 1) + ": " + d.errorMessage());
        }
    }

    /**
     * The processor: classify the row's image and return the label derived from it. The model call is blocking,
     * so it runs on {@code boundedElastic}, off the driver's threads.
     *
     * @param busySeen images the fake model server has already been busy for (shared by the workers of this JVM)
     * @return the processor
     */
    static Processor classifier(Set<String> busySeen) {
        return Processor.builder(NAME, VERSION)
                .input(ProcessorInput.missing(Query.fromJson(UNCLASSIFIED)))
                .function(row -> Mono.fromCallable(() -> classify(ImagePipeline.path(row.input()), busySeen))
                        .subscribeOn(Schedulers.boundedElastic())
                        .map(label -> NewDatum.builder().data(label).metadata(Map.of("model", VERSION))
                                .derivedFrom(row.inputId()).build()))
                .build();
    }

    private static Map<String, Object> classify(String path, Set<String> busySeen) {
        if (path.endsWith("img_007.jpg")) {
            throw new DatalakeNonTransientException("corrupt image " + path);
        }
        if (path.endsWith("img_003.jpg") && busySeen.add(path)) {
            throw new DatalakeTransientException("model server busy, try again", null);
        }
        return ImagePipeline.FakeModel.classify(path, VERSION);
    }

    private static List<Datum> addImages(Datalake lake, int from, int to) {
        return Objects.requireNonNull(lake.addData(Flux.range(from, to - from).map(i -> NewDatum.of(
                        Map.of("type", "image", "path", String.format(Locale.ROOT, "camera-1/img_%03d.jpg", i)),
                        Map.of("project", "cv"))))
                .collectList().block(Duration.ofMinutes(1)));
    }

    /** Prints the processor's progress, across both workers, whenever it changes, until every input is settled. */
    private static void awaitSettled(Datalake lake, long inputs, PrintStream out) {
        String last = "";
        long deadline = System.nanoTime() + Duration.ofMinutes(1).toNanos();
        while (System.nanoTime() < deadline) {
            ProcessorStatus s = lake.processors().status(NAME, VERSION).block(Duration.ofSeconds(30));
            if (s != null) {
                String line = String.format(Locale.ROOT, "progress: %d done, %d leased, %d waiting, %d dead", s.done(),
                        s.leased(), s.waiting(), s.deadLetters());
                if (!line.equals(last)) {
                    out.println(line);
                    last = line;
                }
                if (s.done() + s.deadLetters() == inputs && s.leased() == 0 && s.waiting() == 0) {
                    return;
                }
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for the classifier", e);
            }
        }
        throw new IllegalStateException("the classifier did not settle " + inputs + " images within a minute");
    }

    private static String describe(ProcessorMetrics m) {
        Map<String, Object> parts = new LinkedHashMap<>();
        parts.put("seen", m.seen());
        parts.put("done", m.done());
        parts.put("in flight", m.inFlight());
        parts.put("failed attempts", m.failedAttempts());
        parts.put("dead letters", m.deadLettered());
        parts.put("rate", String.format(Locale.ROOT, "%.1f/s", m.ratePerSecond()));
        parts.put("lag", m.lag().toMillis() + " ms");
        StringBuilder s = new StringBuilder();
        parts.forEach((k, v) -> s.append(s.length() == 0 ? "" : ", ").append(k).append(' ').append(v));
        return s.toString();
    }
}
