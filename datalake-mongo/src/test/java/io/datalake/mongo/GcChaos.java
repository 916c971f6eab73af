package io.datalake.mongo;

import io.datalake.Datalake;
import io.datalake.DatalakeSettings;
import io.datalake.Datum;
import io.datalake.NewDatum;
import io.datalake.gc.GcOptions;
import io.datalake.gc.GcReport;
import io.datalake.registry.BlobSource;
import io.datalake.registry.ContentAddressedRegistry;
import io.datalake.registry.Registries;
import io.datalake.registry.RegistryBackend;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Queue;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The garbage-collection chaos run, shared by the backend modules' tests (file registry, S3 through s3proxy):
 * writers add datums whose payloads collide with unreferenced objects they have just planted, while a collection
 * runs in a loop with a zero grace period; afterwards every datum's object must exist. Public for those modules.
 */
public final class GcChaos {
    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    /**
     * What a run did and found.
     *
     * @param adds datums added
     * @param gcRuns collections completed
     * @param deleted objects the collections deleted
     * @param gcErrors per-object errors the collections reported
     * @param writerFailures adds that failed
     * @param dangling datums whose registry object does not exist afterwards
     */
    public record Result(long adds, long gcRuns, long deleted, long gcErrors, List<Throwable> writerFailures,
            List<String> dangling) {
    }

    private GcChaos() {
    }

    private static byte[] bytes(long k) {
        return ("chaos payload " + k).getBytes(StandardCharsets.UTF_8);
    }

    /**
     * Runs the chaos.
     *
     * @param settings the lake's settings; its default registry is the one under test
     * @param writers concurrent writer threads
     * @param addsPerWriter datums each writer adds
     * @return what happened
     * @throws InterruptedException if interrupted
     */
    public static Result run(DatalakeSettings settings, int writers, int addsPerWriter) throws InterruptedException {
        String uri = Objects.requireNonNull(settings.registry().defaultRegistry(), "default registry");
        try (Datalake lake = Datalakes.create(settings); Registries planter = new Registries(settings.registry())) {
            RegistryBackend backend = planter.resolve(uri);
            ContentAddressedRegistry plant = new ContentAddressedRegistry(backend);
            AtomicBoolean writing = new AtomicBoolean(true);
            AtomicLong gcRuns = new AtomicLong();
            AtomicLong deleted = new AtomicLong();
            AtomicLong gcErrors = new AtomicLong();
            Queue<Throwable> failures = new ConcurrentLinkedQueue<>();
            Queue<Datum> added = new ConcurrentLinkedQueue<>();
            GcOptions options = GcOptions.builder().grace(Duration.ZERO).batchSize(4).build();
            Thread collector = new Thread(() -> {
                while (writing.get()) {
                    try {
                        GcReport report = Objects.requireNonNull(lake.gc(options).block(TIMEOUT));
                        gcRuns.incrementAndGet();
                        deleted.addAndGet(report.deleted());
                        gcErrors.addAndGet(report.errors());
                    } catch (RuntimeException e) {
                        failures.add(e);
                    }
                }
            }, "gc-chaos-collector");
            collector.start();
            List<Thread> threads = new ArrayList<>();
            AtomicLong contents = new AtomicLong();
            for (int w = 0; w < writers; w++) {
                Random random = new Random(w);
                threads.add(new Thread(() -> {
                    for (int i = 0; i < addsPerWriter; i++) {
                        try {
                            // Two adds per content, by whichever writers draw it, over an object planted a few steps
                            // earlier with nothing referencing it: the collector may delete it at any moment, also
                            // while a writer verifies it for reuse.
                            long k = contents.getAndIncrement() / 2;
                            byte[] content = bytes(k);
                            plant.put(BlobSource.ofBytes(bytes(k + random.nextInt(30)))).block(TIMEOUT);
                            if (random.nextBoolean()) {
                                Thread.sleep(random.nextInt(3));
                            }
                            if (random.nextInt(4) == 0) {
                                added.addAll(Objects.requireNonNull(lake.addData(reactor.core.publisher.Flux.just(
                                        NewDatum.builder().data(content).registryUri(uri).build(),
                                        NewDatum.builder().data(content).registryUri(uri)
                                                .metadata(Map.of("copy", 2)).build())).collectList().block(TIMEOUT)));
                            } else {
                                added.add(Objects.requireNonNull(lake.addDatum(content, Map.of(), uri, null)
                                        .block(TIMEOUT)));
                            }
                        } catch (RuntimeException | InterruptedException e) {
                            failures.add(e);
                        }
                    }
                }, "gc-chaos-writer-" + w));
            }
            threads.forEach(Thread::start);
            for (Thread t : threads) {
                t.join();
            }
            writing.set(false);
            collector.join();
            List<String> dangling = new ArrayList<>();
            for (Datum datum : added) {
                String key = Objects.requireNonNull(datum.registryKey());
                if (!Boolean.TRUE.equals(backend.exists(key).block(TIMEOUT))) {
                    dangling.add(datum.id() + " -> " + key);
                }
            }
            return new Result(added.size(), gcRuns.get(), deleted.get(), gcErrors.get(), new ArrayList<>(failures),
                    dangling);
        }
    }
}
