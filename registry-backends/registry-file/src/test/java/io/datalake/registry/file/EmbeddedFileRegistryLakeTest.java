package io.datalake.registry.file;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.datalake.BlockingDatalake;
import io.datalake.Datalake;
import io.datalake.Datum;
import io.datalake.DatumValidationException;
import io.datalake.InvalidArgumentException;
import io.datalake.NewDatum;
import io.datalake.PayloadInfo;
import io.datalake.RegistryException;
import io.datalake.RegistrySettings;
import io.datalake.mongo.TestLakes;
import io.datalake.registry.BlobSource;
import io.datalake.registry.RegistryBackend;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.bson.Document;
import org.bson.types.ObjectId;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** Round trips of registry payloads through a lake, with the file registry. */
class EmbeddedFileRegistryLakeTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    private final List<Datalake> lakes = new ArrayList<>();

    @AfterEach
    void closeLakes() {
        lakes.forEach(Datalake::close);
    }

    private BlockingDatalake lake() {
        return lake(r -> { });
    }

    private BlockingDatalake lake(Consumer<RegistrySettings.Builder> registry) {
        RegistrySettings.Builder b = RegistrySettings.builder();
        registry.accept(b);
        Datalake lake = TestLakes.newLake(s -> s.registry(b.build()));
        lakes.add(lake);
        return lake.blocking();
    }

    private static List<Document> rawDocuments(BlockingDatalake lake) {
        return Flux.from(TestLakes.documents(lake.reactive()).find()).collectList().block(TIMEOUT);
    }

    private static String sha256(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }

    @Test
    void inlineAndRegistryDatumsRoundTripTogetherInOneGetData() throws Exception {
        BlockingDatalake lake = lake();
        String registry = dir.resolve("reg").toString();
        byte[] image = "not really a png".getBytes(StandardCharsets.UTF_8); // detected as text/plain
        byte[] streamed = "streamed bytes".getBytes(StandardCharsets.UTF_8);
        Path file = Files.write(dir.resolve("payload.bin"), "file bytes".getBytes(StandardCharsets.UTF_8));
        Map<String, Object> json = Map.of("label", "cat", "boxes", List.of(1, 2.5, "x"), "nested", Map.of("ok", true));

        Datum inline = lake.addDatum(Map.of("inline", 1), Map.of("kind", "inline"));
        Datum bytes = lake.addDatum(image, Map.of("kind", "bytes"), registry, inline.id());
        Datum pojo = lake.addDatum(json, null, registry, null);
        Datum stream = lake.addDatum(new ByteArrayInputStream(streamed), null, registry, null);
        Datum fromFile = lake.addDatum(file, null, registry, null);

        List<Datum> read = lake.getData(List.of(fromFile.id(), inline.id(), bytes.id(), pojo.id(), stream.id()));

        assertThat(read.get(0).data()).isEqualTo("file bytes".getBytes(StandardCharsets.UTF_8));
        assertThat(read.get(1)).isEqualTo(inline);
        assertThat(read.get(2)).isEqualTo(bytes);
        assertThat((byte[]) read.get(2).data()).isEqualTo(image);
        assertThat(read.get(3)).isEqualTo(pojo);
        assertThat(read.get(3).data()).isEqualTo(json);
        assertThat(read.get(4).data()).isEqualTo(streamed);
        assertThat(stream.data()).as("a stream is not held in memory by addDatum").isNull();

        assertThat(bytes.registryUri()).isEqualTo("file://" + dir.resolve("reg"));
        assertThat(bytes.payload()).isEqualTo(new PayloadInfo("text/plain", image.length, sha256(image)));
        assertThat(bytes.registryKey()).isEqualTo(sha256(image).substring(0, 2) + "/" + sha256(image).substring(2, 4)
                + "/" + sha256(image));
        assertThat(pojo.payload().contentType()).isEqualTo(PayloadInfo.JSON);
        assertThat(inline.payload()).isNull();

        Document stored = rawDocuments(lake).stream().filter(d -> d.get("_id").equals(bytes.id())).findFirst()
                .orElseThrow();
        assertThat(stored.containsKey("data")).isTrue();
        assertThat(stored.get("data")).as("payload is not in MongoDB").isNull();
        assertThat(stored.getString("registry_uri")).isEqualTo(bytes.registryUri());
        assertThat(stored.getString("registry_key")).isEqualTo(bytes.registryKey());
        assertThat(stored.get("payload", Document.class))
                .containsEntry("content_type", "text/plain")
                .containsEntry("size", (long) image.length)
                .containsEntry("sha256", sha256(image));
        assertThat(Files.readAllBytes(dir.resolve("reg").resolve(bytes.registryKey()))).isEqualTo(image);
    }

    @Test
    void identicalPayloadsAreStoredOnceAndShared() {
        BlockingDatalake lake = lake();
        String registry = "file://" + dir.resolve("reg");
        byte[] payload = new byte[100_000];
        payload[7] = 42;

        Datum first = lake.addDatum(payload, Map.of("n", 1), registry, null);
        Datum second = lake.addDatum(payload.clone(), Map.of("n", 2), dir.resolve("reg").toString(), null);

        assertThat(second.id()).isNotEqualTo(first.id());
        assertThat(second.registryUri()).as("plain path and file URI name one registry").isEqualTo(first.registryUri());
        assertThat(second.registryKey()).isEqualTo(first.registryKey());
        try (RegistryBackend backend = FileRegistryBackend.open(dir.resolve("reg"))) {
            assertThat(backend.list("").collectList().block(TIMEOUT)).containsExactly(first.registryKey());
        }
        assertThat(lake.getData(List.of(first.id(), second.id()))).extracting(Datum::data)
                .containsExactly(payload, payload);
    }

    @Test
    void oversizedInlineDataGoesToTheDefaultRegistry() {
        BlockingDatalake lake = lake(r -> r.inlineLimitBytes(1024).defaultRegistry(dir.resolve("default").toString()));
        Map<String, Object> big = Map.of("text", "x".repeat(5000), "n", 3);
        Map<String, Object> small = Map.of("text", "short");

        Datum offloaded = lake.addDatum(big, Map.of());
        Datum kept = lake.addDatum(small, Map.of());
        byte[] bigBytes = new byte[2000];
        Datum offloadedBytes = lake.addDatum(bigBytes, Map.of());

        assertThat(offloaded.registryUri()).isEqualTo("file://" + dir.resolve("default"));
        assertThat(offloaded.data()).isEqualTo(big);
        assertThat(lake.getDatum(offloaded.id()).data()).isEqualTo(big);
        assertThat(kept.registryUri()).isNull();
        assertThat(offloadedBytes.payload().contentType()).isEqualTo(PayloadInfo.BYTES);
        assertThat(lake.getDatum(offloadedBytes.id()).data()).isEqualTo(bigBytes);
    }

    @Test
    void oversizedInlineDataWithoutDefaultRegistryIsRefusedBeforeAnyWrite() {
        BlockingDatalake lake = lake(r -> r.inlineLimitBytes(1024));
        assertThatThrownBy(() -> lake.addDatum(Map.of("text", "x".repeat(5000)), null))
                .isInstanceOf(DatumValidationException.class)
                .hasMessageContaining("exceeds the inline limit of 1024");
        assertThatThrownBy(() -> lake.addData(List.of(NewDatum.of("ok", null), NewDatum.of(new byte[4096], null))))
                .isInstanceOf(DatumValidationException.class);
        assertThat(rawDocuments(lake)).isEmpty();
    }

    @Test
    void failedPayloadWriteWritesNoDatum() throws IOException {
        BlockingDatalake lake = lake();
        Path notADirectory = Files.write(dir.resolve("plain-file"), new byte[] {1});
        assertThatThrownBy(() -> lake.addDatum(new byte[] {1, 2}, null, notADirectory.toString(), null))
                .isInstanceOf(RegistryException.class);
        Path readOnly = Files.createDirectories(dir.resolve("ro"));
        assertThatThrownBy(() -> lake.addDatum(new byte[] {1, 2}, null, "nope://" + readOnly, null))
                .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("'nope'");
        assertThat(rawDocuments(lake)).isEmpty();
    }

    @Test
    void unknownParentWritesNeitherPayloadNorDatum() throws IOException {
        BlockingDatalake lake = lake();
        Path reg = dir.resolve("reg");
        assertThatThrownBy(() -> lake.addDatum(new byte[] {5}, null, reg.toString(), new ObjectId()))
                .isInstanceOf(io.datalake.DatumNotFoundException.class);
        assertThat(rawDocuments(lake)).isEmpty();
        if (Files.exists(reg)) {
            try (var files = Files.walk(reg)) {
                assertThat(files.filter(Files::isRegularFile)).as("no payload written").isEmpty();
            }
        }
    }

    @Test
    void corruptOrMissingPayloadIsAnErrorNeverData() throws IOException {
        BlockingDatalake lake = lake();
        Path reg = dir.resolve("reg");
        Datum datum = lake.addDatum("payload".getBytes(StandardCharsets.UTF_8), null, reg.toString(), null);
        Files.write(reg.resolve(datum.registryKey()), "PAYLOAD".getBytes(StandardCharsets.UTF_8));

        assertThatThrownBy(() -> lake.getDatum(datum.id()))
                .isInstanceOf(RegistryException.class)
                .hasMessageContaining(datum.id().toString())
                .hasMessageContaining(datum.registryKey())
                .hasMessageContaining("corrupt");
        assertThatThrownBy(() -> lake.getData(List.of(datum.id()))).isInstanceOf(RegistryException.class);
        assertThatThrownBy(() -> lake.openPayload(datum.id()).readAllBytes()).isInstanceOf(RegistryException.class);

        Files.delete(reg.resolve(datum.registryKey()));
        assertThatThrownBy(() -> lake.getDatum(datum.id()))
                .isInstanceOf(RegistryException.class)
                .hasMessageContaining(datum.registryUri())
                .hasMessageContaining(datum.registryKey());

        Datum withoutPayload = lake.getDatum(datum.id(), false);
        assertThat(withoutPayload.data()).as("metadata-only read needs no registry").isNull();
        assertThat(withoutPayload.payload()).isEqualTo(datum.payload());
        assertThat(lake.getData(List.of(datum.id()), false)).containsExactly(withoutPayload);
    }

    @Test
    void streamingACorruptPayloadEndsWithAnErrorAndNeverCompletes() throws IOException {
        BlockingDatalake lake = lake();
        Path reg = dir.resolve("reg");
        byte[] payload = new byte[200_000];
        for (int i = 0; i < payload.length; i++) {
            payload[i] = (byte) (i * 7);
        }
        Datum datum = lake.addDatum(payload, null, reg.toString(), null);
        byte[] damaged = payload.clone();
        damaged[damaged.length - 1] ^= 0x01;
        Files.write(reg.resolve(datum.registryKey()), damaged);

        List<reactor.core.publisher.Signal<ByteBuffer>> signals = lake.reactive().getPayload(datum.id())
                .materialize().collectList().block(TIMEOUT);

        reactor.core.publisher.Signal<ByteBuffer> last = signals.get(signals.size() - 1);
        assertThat(last.isOnError()).as("ends with an error, not onComplete").isTrue();
        assertThat(last.getThrowable()).isInstanceOf(RegistryException.class)
                .hasMessageContaining(datum.id().toString())
                .hasMessageContaining("corrupt");
        assertThat(signals).noneMatch(reactor.core.publisher.Signal::isOnComplete);
        long emitted = signals.stream().filter(reactor.core.publisher.Signal::isOnNext)
                .mapToLong(signal -> signal.get().remaining()).sum();
        assertThat(emitted).as("the buffer holding the last byte is withheld").isLessThan(payload.length);
    }

    @Test
    void readingADatumWhoseRegistryDirectoryIsGoneCreatesNothing() throws IOException {
        Path reg = dir.resolve("gone/reg");
        // Two processes: the writer's handle is gone when the reader resolves the registry afresh.
        io.datalake.DatalakeSettings settings = TestLakes.freshSettings()
                .registry(RegistrySettings.builder().defaultRegistry(reg.toString()).build())
                .build();
        Datum datum;
        try (Datalake writer = io.datalake.mongo.Datalakes.create(settings)) {
            datum = writer.blocking().addDatum(new byte[] {1, 2, 3}, null, reg.toString(), null);
        }
        deleteTree(dir.resolve("gone"));

        try (Datalake reader = io.datalake.mongo.Datalakes.create(settings)) {
            assertThatThrownBy(() -> reader.blocking().getDatum(datum.id()))
                    .isInstanceOf(RegistryException.class).hasMessageContaining(datum.registryKey());
        }
        assertThat(dir.resolve("gone")).as("a read has no side effect").doesNotExist();
    }

    private static void deleteTree(Path root) throws IOException {
        try (var paths = Files.walk(root)) {
            for (Path path : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        }
    }

    @Test
    void payloadsStreamWithoutLoadingTheDatum() throws IOException {
        BlockingDatalake lake = lake();
        byte[] payload = new byte[300_000];
        for (int i = 0; i < payload.length; i++) {
            payload[i] = (byte) (i * 31);
        }
        Datum datum = lake.addDatum(payload, null, dir.resolve("reg").toString(), null);

        try (InputStream in = lake.openPayload(datum.id())) {
            assertThat(in.readAllBytes()).isEqualTo(payload);
        }
        List<ByteBuffer> buffers = lake.reactive().getPayload(datum.id()).collectList().block(TIMEOUT);
        assertThat(buffers.stream().mapToInt(ByteBuffer::remaining).sum()).isEqualTo(payload.length);

        Datum inline = lake.addDatum("inline", null);
        assertThatThrownBy(() -> lake.openPayload(inline.id()).read())
                .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("inline");
    }

    @Test
    void addDataStoresRegistryPayloadsOfABatchBeforeItsDatums() {
        BlockingDatalake lake = lake();
        String reg = dir.resolve("reg").toString();
        ObjectId parent = new ObjectId();
        List<Datum> added = lake.addData(List.of(
                NewDatum.builder().id(parent).data(Map.of("a", 1)).build(),
                NewDatum.builder().data(new byte[] {1, 2, 3}).registryUri(reg).derivedFrom(parent).build(),
                NewDatum.builder().data(List.of("x", "y")).registryUri(reg).build()));

        assertThat(added.get(1).registryKey()).isNotNull();
        assertThat(lake.getData(added.stream().map(Datum::id).toList())).isEqualTo(added);
    }

    @Test
    void getDataFetchesPayloadsWithBoundedConcurrencyAndSharedPayloadsOnce() {
        AtomicInteger inFlight = new AtomicInteger();
        AtomicInteger maxInFlight = new AtomicInteger();
        AtomicInteger fetches = new AtomicInteger();
        RegistryBackend counting = new CountingBackend(FileRegistryBackend.open(dir.resolve("reg")), inFlight,
                maxInFlight, fetches);
        BlockingDatalake lake = lake(r -> r.payloadConcurrency(2).backend(counting));

        List<ObjectId> ids = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            ids.add(lake.addDatum(new byte[] {(byte) i}, null, counting.uri(), null).id());
        }
        ids.add(lake.addDatum(new byte[] {0}, null, counting.uri(), null).id());
        // The second add of the same content read the object back to verify it before reusing it.
        assertThat(fetches.getAndSet(0)).isEqualTo(1);

        List<Datum> read = lake.getData(ids);

        assertThat(read).hasSize(13);
        assertThat(read.get(12).data()).isEqualTo(new byte[] {0});
        assertThat(maxInFlight.get()).isBetween(1, 2);
        assertThat(fetches.get()).as("the payload shared by two datums is fetched once").isEqualTo(12);
    }

    /** Delegates to a backend and records how many reads run at once. */
    private static final class CountingBackend implements RegistryBackend {
        private final RegistryBackend delegate;
        private final AtomicInteger inFlight;
        private final AtomicInteger maxInFlight;
        private final AtomicInteger fetches;

        CountingBackend(RegistryBackend delegate, AtomicInteger inFlight, AtomicInteger maxInFlight,
                AtomicInteger fetches) {
            this.delegate = delegate;
            this.inFlight = inFlight;
            this.maxInFlight = maxInFlight;
            this.fetches = fetches;
        }

        @Override
        public String uri() {
            return delegate.uri();
        }

        @Override
        public Mono<Boolean> exists(String key) {
            return delegate.exists(key);
        }

        @Override
        public Mono<Void> put(String key, BlobSource source) {
            return delegate.put(key, source);
        }

        @Override
        public Flux<ByteBuffer> get(String key) {
            return delegate.get(key)
                    .doOnSubscribe(s -> {
                        fetches.incrementAndGet();
                        maxInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
                    })
                    // Before the signal travels on: doFinally would run after the caller already started the next.
                    .doOnTerminate(inFlight::decrementAndGet)
                    .doOnCancel(inFlight::decrementAndGet);
        }

        @Override
        public Mono<Void> delete(String key) {
            return delegate.delete(key);
        }

        @Override
        public Flux<String> list(String prefix) {
            return delegate.list(prefix);
        }

        @Override
        public void close() {
            delegate.close();
        }
    }
}
