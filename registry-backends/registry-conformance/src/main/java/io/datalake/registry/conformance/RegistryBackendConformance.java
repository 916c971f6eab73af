package io.datalake.registry.conformance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.datalake.InvalidArgumentException;
import io.datalake.RegistryException;
import io.datalake.registry.BlobChangedException;
import io.datalake.registry.BlobSource;
import io.datalake.registry.BlobStat;
import io.datalake.registry.ContentAddressedRegistry;
import io.datalake.registry.RegistryBackend;
import io.datalake.registry.RegistryKeys;
import io.datalake.registry.StoredBlob;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.Random;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Tests every registry backend must pass. A backend's test class extends this one and implements
 * {@link #newBackend()}; each test gets its own handle over an empty namespace and closes it afterwards.
 */
public abstract class RegistryBackendConformance {
    /** Generous: the 20 MB test runs over HTTP on a busy two-core machine. */
    protected static final Duration TIMEOUT = Duration.ofSeconds(120);
    private static final int TWENTY_MB = 20 * 1024 * 1024;

    /** The handle under test, fresh for each test. */
    protected RegistryBackend backend;

    /** A temporary directory, fresh for each test, for files the test or the backend needs. */
    @TempDir
    protected Path tempDir;

    /**
     * Returns a new handle over an empty namespace (for example a fresh directory or a fresh key prefix).
     *
     * @return the handle; the kit closes it after the test
     */
    protected abstract RegistryBackend newBackend();

    /**
     * Tells whether a write whose source fails part-way leaves no object under its key, as the {@link RegistryBackend}
     * contract requires of a real store. A test double that makes bytes visible before an upload is finalized
     * overrides this to return false; the tests then check the error only.
     *
     * @return true unless the store under test is such a double
     */
    protected boolean failedWritesLeaveNoObject() {
        return true;
    }

    /**
     * Tells whether the store's listing reports when each object was written ({@link RegistryBackend#listInfo}).
     * Garbage collection never deletes an object of unknown age, so a backend that answers false here is safe but
     * never collected. A test double without times overrides this to return false.
     *
     * @return true unless the store under test cannot tell
     */
    protected boolean listingReportsTime() {
        return true;
    }

    @BeforeEach
    void openBackend() {
        backend = newBackend();
    }

    @AfterEach
    void closeBackend() {
        backend.close();
    }

    @Test
    void putGetExistsDeleteAndList() {
        put("a/b/one", bytes("one"));
        put("a/two", bytes("two"));
        put("other/three", bytes("three"));

        assertThat(backend.exists("a/b/one").block(TIMEOUT)).isTrue();
        assertThat(backend.exists("a/b").block(TIMEOUT)).as("a prefix is not an object").isFalse();
        assertThat(read("a/b/one")).isEqualTo(bytes("one"));
        assertThat(read("other/three")).isEqualTo(bytes("three"));
        assertThat(list("a/")).containsExactlyInAnyOrder("a/b/one", "a/two");
        assertThat(list("a/b")).containsExactly("a/b/one");
        assertThat(list("")).containsExactlyInAnyOrder("a/b/one", "a/two", "other/three");

        backend.delete("a/two").block(TIMEOUT);
        assertThat(backend.exists("a/two").block(TIMEOUT)).isFalse();
        assertThat(list("a/")).containsExactly("a/b/one");
        backend.delete("a/two").block(TIMEOUT);
        assertThat(list("nothing/")).isEmpty();
    }

    @Test
    void listInfoReportsTheListedKeysWithTheirSizesAndWhenTheyWereWritten() {
        // Stores keep times with one-second precision (S3) and clocks of a store and its client differ slightly.
        java.time.Instant before = java.time.Instant.now().minusSeconds(5);
        put("i/b/one", bytes("one"));
        put("i/four", bytes("four"));
        put("j/other", bytes("other"));
        java.time.Instant after = java.time.Instant.now().plusSeconds(5);

        List<io.datalake.registry.BlobInfo> infos = Objects.requireNonNull(
                backend.listInfo("i/").collectList().block(TIMEOUT));
        assertThat(infos).extracting(io.datalake.registry.BlobInfo::key)
                .containsExactlyInAnyOrderElementsOf(list("i/"));
        assertThat(infos).extracting(io.datalake.registry.BlobInfo::key, io.datalake.registry.BlobInfo::size)
                .containsExactlyInAnyOrder(org.assertj.core.api.Assertions.tuple("i/b/one", 3L),
                        org.assertj.core.api.Assertions.tuple("i/four", 4L));
        for (io.datalake.registry.BlobInfo info : infos) {
            if (listingReportsTime()) {
                assertThat(info.lastModified()).as("time of %s", info.key()).isNotNull().isBetween(before, after);
            } else {
                assertThat(info.lastModified()).isNull();
            }
        }
        backend.delete("i/four").block(TIMEOUT);
        assertThat(backend.listInfo("").collectList().block(TIMEOUT))
                .extracting(io.datalake.registry.BlobInfo::key).containsExactlyInAnyOrder("i/b/one", "j/other");
        assertThatThrownBy(() -> backend.listInfo("../x").collectList().block(TIMEOUT))
                .isInstanceOf(InvalidArgumentException.class);
    }

    @Test
    void listInfoShowsAnOverwrittenObjectAsWrittenAgain() throws InterruptedException {
        org.junit.jupiter.api.Assumptions.assumeTrue(listingReportsTime(), "the listing reports times");
        put("t/k", bytes("first"));
        java.time.Instant first = Objects.requireNonNull(backend.listInfo("t/").blockFirst(TIMEOUT)).lastModified();
        Thread.sleep(1_100); // beyond S3's one-second precision
        put("t/k", bytes("again"));
        java.time.Instant second = Objects.requireNonNull(backend.listInfo("t/").blockFirst(TIMEOUT)).lastModified();
        // Garbage collection keeps a rewritten (repaired) object as young again.
        assertThat(second).isAfter(first);
    }

    @Test
    void overwritingReplacesTheObject() {
        put("k", bytes("same"));
        put("k", bytes("same"));
        assertThat(read("k")).isEqualTo(bytes("same"));
        put("k", bytes("different and longer"));
        assertThat(read("k")).isEqualTo(bytes("different and longer"));
        assertThat(list("")).containsExactly("k");
    }

    @Test
    void emptyPayloadRoundTrips() {
        put("empty", new byte[0]);
        assertThat(backend.exists("empty").block(TIMEOUT)).isTrue();
        assertThat(read("empty")).isEmpty();
    }

    @Test
    void twentyMegabytePayloadStreamsBackIntact() throws IOException {
        Path file = randomFile(TWENTY_MB, 20);
        backend.put("big/payload", BlobSource.ofFile(file)).block(TIMEOUT);

        MessageDigest digest = sha256();
        long[] count = new long[1];
        backend.get("big/payload").doOnNext(b -> {
            count[0] += b.remaining();
            digest.update(b);
        }).blockLast(TIMEOUT);

        assertThat(count[0]).isEqualTo(TWENTY_MB);
        assertThat(HexFormat.of().formatHex(digest.digest())).isEqualTo(ContentAddressedRegistry.sha256(
                BlobSource.ofFile(file)));
    }

    @Test
    void concurrentWritersOfTheSameKeyLeaveOneWholeObject() {
        byte[] content = new byte[1024 * 1024];
        new Random(7).nextBytes(content);
        Flux.range(0, 8)
                .flatMap(i -> backend.put("shared/key", BlobSource.ofBytes(content)), 8)
                .blockLast(TIMEOUT);
        assertThat(read("shared/key")).isEqualTo(content);
        assertThat(list("shared/")).containsExactly("shared/key");

        ContentAddressedRegistry cas = new ContentAddressedRegistry(backend);
        List<StoredBlob> stored = value(Flux.range(0, 8)
                .flatMap(i -> cas.put(BlobSource.ofBytes(content)), 8)
                .collectList());
        assertThat(stored).extracting(StoredBlob::key).containsOnly(stored.get(0).key());
        assertThat(cas.getBytes(stored.get(0).key(), null, content.length).block(TIMEOUT)).isEqualTo(content);
    }

    @Test
    void invalidKeysAreRefusedBeforeAnyIo() {
        List<String> bad = List.of("", "../escape", "a/../../escape", "a/..", "./a", "/absolute", "a\\b",
                "C:/windows", "a\u0000b", "line\nbreak", "a//b", "trailing/", "x" + RegistryKeys.RESERVED_SUFFIX);
        for (String key : bad) {
            assertThatThrownBy(() -> backend.put(key, BlobSource.ofBytes(bytes("x"))).block(TIMEOUT))
                    .as("put %s", key).isInstanceOf(InvalidArgumentException.class);
            assertThatThrownBy(() -> backend.get(key).blockLast(TIMEOUT))
                    .as("get %s", key).isInstanceOf(InvalidArgumentException.class);
            assertThatThrownBy(() -> backend.exists(key).block(TIMEOUT))
                    .as("exists %s", key).isInstanceOf(InvalidArgumentException.class);
            assertThatThrownBy(() -> backend.delete(key).block(TIMEOUT))
                    .as("delete %s", key).isInstanceOf(InvalidArgumentException.class);
        }
        assertThatThrownBy(() -> backend.list("../").blockLast(TIMEOUT)).isInstanceOf(InvalidArgumentException.class);
        assertThat(list("")).as("nothing was written").isEmpty();
    }

    @Test
    void missingKeyFailsNamingTheRegistryAndKey() {
        assertThatThrownBy(() -> backend.get("no/such/key").blockLast(TIMEOUT))
                .isInstanceOf(RegistryException.class)
                .hasMessageContaining(backend.uri())
                .hasMessageContaining("no/such/key");
        assertThat(backend.exists("no/such/key").block(TIMEOUT)).isFalse();
        backend.delete("no/such/key").block(TIMEOUT);
    }

    @Test
    void contentAddressedPutStoresOncePerContent() {
        ContentAddressedRegistry cas = new ContentAddressedRegistry(backend);
        StoredBlob first = value(cas.put(BlobSource.ofBytes(bytes("payload"))));
        StoredBlob second = value(cas.put(BlobSource.ofBytes(bytes("payload"))));

        assertThat(first.uploaded()).isTrue();
        assertThat(second.uploaded()).as("upload skipped for existing content").isFalse();
        assertThat(second.key()).isEqualTo(first.key())
                .isEqualTo(first.sha256().substring(0, 2) + "/" + first.sha256().substring(2, 4) + "/" + first.sha256());
        assertThat(first.registryUri()).isEqualTo(backend.uri());
        assertThat(list("")).containsExactly(first.key());
        assertThat(cas.getBytes(first.key(), first.sha256(), first.size()).block(TIMEOUT)).isEqualTo(bytes("payload"));
    }

    @Test
    void sizeReportsTheStoredBytesAndNothingForAMissingKey() {
        put("sized/object", bytes("seven b"));
        put("sized/empty", new byte[0]);

        assertThat(backend.size("sized/object").block(TIMEOUT)).isEqualTo(7L);
        assertThat(backend.size("sized/empty").block(TIMEOUT)).isEqualTo(0L);
        assertThat(backend.size("sized/missing").blockOptional(TIMEOUT)).isEmpty();
    }

    @Test
    void statReportsTheSizeAndOnlyChecksumsOfTheStoredBytes() {
        byte[] content = bytes("stat me");
        put("stat/object", content);
        BlobStat stat = value(backend.stat("stat/object"));

        assertThat(stat.size()).isIn((long) content.length, RegistryBackend.UNKNOWN_SIZE);
        if (stat.sha256() != null) {
            assertThat(stat.sha256()).isEqualTo(ContentAddressedRegistry.sha256(BlobSource.ofBytes(content)));
        }
        if (stat.crc32c() != null) {
            java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
            crc.update(content);
            assertThat(stat.crc32c()).isEqualTo(String.format("%08x", crc.getValue()));
        }
        assertThat(backend.stat("stat/missing").blockOptional(TIMEOUT)).isEmpty();
    }

    @Test
    void contentAddressedPutReplacesAnExistingObjectOfTheWrongSize() {
        ContentAddressedRegistry cas = new ContentAddressedRegistry(backend);
        byte[] payload = bytes("the whole payload");
        String key = ContentAddressedRegistry.keyFor(ContentAddressedRegistry.sha256(BlobSource.ofBytes(payload)));
        // What an interrupted, non-atomic writer of another tool might leave under the key.
        put(key, bytes("the whole"));

        StoredBlob stored = value(cas.put(BlobSource.ofBytes(payload)));

        assertThat(stored.key()).isEqualTo(key);
        assertThat(stored.uploaded()).as("a truncated object is not trusted").isTrue();
        assertThat(cas.getBytes(key, stored.sha256(), stored.size()).block(TIMEOUT)).isEqualTo(payload);
    }

    @Test
    void aSourceThatCannotBeReadLeavesNoObject() throws IOException {
        Path file = Files.write(tempDir.resolve("vanishing.bin"), bytes("soon gone"));
        BlobSource source = BlobSource.ofFile(file);
        Files.delete(file);

        assertThatThrownBy(() -> backend.put("vanished/file", source).block(TIMEOUT))
                .isInstanceOf(RegistryException.class).hasMessageContaining("vanished/file");
        assertThat(backend.exists("vanished/file").block(TIMEOUT)).as("no empty or partial object").isFalse();
        assertThat(list("vanished/")).isEmpty();
    }

    @Test
    void hashMismatchIsAnErrorNeverData() {
        ContentAddressedRegistry cas = new ContentAddressedRegistry(backend);
        StoredBlob stored = value(cas.put(BlobSource.ofBytes(bytes("original"))));
        // Same length, different bytes: only the hash can tell.
        backend.put(stored.key(), BlobSource.ofBytes(bytes("0riginal"))).block(TIMEOUT);

        assertThatThrownBy(() -> cas.getBytes(stored.key(), stored.sha256(), stored.size()).block(TIMEOUT))
                .isInstanceOf(RegistryException.class)
                .hasMessageContaining(stored.key())
                .hasMessageContaining("corrupt");
        assertThatThrownBy(() -> cas.getBytes(stored.key(), null, -1).block(TIMEOUT))
                .as("hash derived from the key").isInstanceOf(RegistryException.class);

        backend.put(stored.key(), BlobSource.ofBytes(bytes("orig"))).block(TIMEOUT);
        assertThatThrownBy(() -> cas.getBytes(stored.key(), stored.sha256(), stored.size()).block(TIMEOUT))
                .as("truncated").isInstanceOf(RegistryException.class).hasMessageContaining("4 bytes instead of 8");
    }

    @Test
    void streamsAreSpooledHashedAndStored() throws IOException {
        ContentAddressedRegistry cas = new ContentAddressedRegistry(backend, tempDir);
        Path file = randomFile(3 * 1024 * 1024 + 17, 3);
        StoredBlob stored = value(cas.put(Files.newInputStream(file)));

        assertThat(stored.size()).isEqualTo(Files.size(file));
        assertThat(stored.sha256()).isEqualTo(ContentAddressedRegistry.sha256(BlobSource.ofFile(file)));
        assertThat(cas.getBytes(stored.key(), stored.sha256(), stored.size()).block(TIMEOUT))
                .isEqualTo(Files.readAllBytes(file));
        try (var spooled = Files.list(tempDir)) {
            assertThat(spooled.filter(p -> p.getFileName().toString().startsWith("datalake-spool-")))
                    .as("spool file deleted").isEmpty();
        }
    }

    @Test
    void aFileChangedBetweenHashAndUploadIsAnErrorNamingItAndNothingIsStored() throws IOException {
        Path file = Files.write(tempDir.resolve("changing.bin"), bytes("the original content"));
        String originalKey = ContentAddressedRegistry.keyFor(
                ContentAddressedRegistry.sha256(BlobSource.ofFile(file)));
        // The metadata lookup runs after the hashing pass and before the upload: the moment another process
        // rewrites the file (same size, other bytes) in the race this test makes deterministic.
        HookedBackend hooked = new HookedBackend(backend, () -> write(file, bytes("THE ORIGINAL CONTENT")));
        ContentAddressedRegistry cas = new ContentAddressedRegistry(hooked);

        assertThatThrownBy(() -> cas.put(BlobSource.ofFile(file)).block(TIMEOUT))
                .isInstanceOf(RegistryException.class)
                .hasMessageContaining(file.toString())
                .hasMessageContaining("changed while it was being stored");
        if (failedWritesLeaveNoObject()) {
            assertThat(backend.exists(originalKey).block(TIMEOUT)).as("nothing under the hashed key").isFalse();
            assertThat(list("")).as("no object at all").isEmpty();
        }

        // A file that grows after it was hashed. A backend that stops reading at the announced length stores the
        // bytes that were hashed (consistent); one that reads on reports the change. Never anything else.
        Path growing = Files.write(tempDir.resolve("growing.bin"), bytes("short"));
        ContentAddressedRegistry grows = new ContentAddressedRegistry(new HookedBackend(backend,
                () -> write(growing, bytes("short, and then much longer"))));
        StoredBlob grown;
        try {
            grown = grows.put(BlobSource.ofFile(growing)).block(TIMEOUT);
        } catch (RegistryException e) {
            assertThat(e).hasMessageContaining(growing.toString()).hasMessageContaining("changed while it was");
            grown = null;
        }
        if (grown != null) {
            assertThat(grows.getBytes(grown.key(), grown.sha256(), grown.size()).block(TIMEOUT))
                    .isEqualTo(bytes("short"));
        }
    }

    @Test
    void aSourceWhoseBytesDoNotMatchTheExpectedHashIsNeverStored() throws IOException {
        // Large enough for a multipart upload where the backend uses one (the S3 test sets an 8 MB threshold).
        Path file = randomFile(9 * 1024 * 1024 + 5, 9);
        String otherSha = ContentAddressedRegistry.sha256(BlobSource.ofBytes(bytes("something else")));

        assertThatThrownBy(() -> backend.put("expecting/other", BlobSource.ofFile(file).expecting(otherSha))
                        .block(TIMEOUT))
                .isInstanceOf(RegistryException.class)
                .hasMessageContaining("expecting/other")
                .satisfies(e -> assertThat(causes(e)).as("the cause is kept")
                        .anyMatch(c -> c instanceof BlobChangedException));
        if (failedWritesLeaveNoObject()) {
            assertThat(backend.exists("expecting/other").block(TIMEOUT)).isFalse();
        }

        String sha = ContentAddressedRegistry.sha256(BlobSource.ofFile(file));
        backend.put("expecting/right", BlobSource.ofFile(file).expecting(sha)).block(TIMEOUT);
        assertThat(read("expecting/right")).isEqualTo(Files.readAllBytes(file));
    }

    @Test
    void aCallersArrayChangedAfterThePutBeganDoesNotChangeWhatIsStored() {
        byte[] callers = bytes("caller's bytes");
        byte[] original = callers.clone();
        ContentAddressedRegistry cas = new ContentAddressedRegistry(new HookedBackend(backend,
                () -> callers[0] = 'C'));

        StoredBlob stored = value(cas.put(BlobSource.ofBytes(callers)));

        assertThat(callers[0]).as("the hook ran between hash and upload").isEqualTo((byte) 'C');
        assertThat(stored.sha256()).isEqualTo(ContentAddressedRegistry.sha256(BlobSource.ofBytes(original)));
        assertThat(cas.getBytes(stored.key(), stored.sha256(), stored.size()).block(TIMEOUT)).isEqualTo(original);
    }

    @Test
    void aDamagedObjectOfTheRightSizeIsRepairedByTheNextPutOfTheSameContent() {
        ContentAddressedRegistry cas = new ContentAddressedRegistry(backend);
        byte[] payload = new byte[100_000];
        new Random(3).nextBytes(payload);
        StoredBlob first = value(cas.put(BlobSource.ofBytes(payload)));
        byte[] damaged = payload.clone();
        damaged[damaged.length / 2] ^= 0x01;
        put(first.key(), damaged);

        StoredBlob second = value(cas.put(BlobSource.ofBytes(payload)));

        assertThat(second.key()).isEqualTo(first.key());
        assertThat(second.uploaded()).as("a damaged object is not trusted").isTrue();
        assertThat(read(first.key())).as("the object is repaired").isEqualTo(payload);
        assertThat(cas.getBytes(second.key(), second.sha256(), second.size()).block(TIMEOUT)).isEqualTo(payload);
        StoredBlob third = value(cas.put(BlobSource.ofBytes(payload)));
        assertThat(third.uploaded()).as("a verified object is reused").isFalse();
    }

    @Test
    void deduplicationFollowsTheStoreKeptChecksumWithoutReadingTheObject() {
        byte[] payload = bytes("checksummed payload");
        String sha = ContentAddressedRegistry.sha256(BlobSource.ofBytes(payload));
        ContentAddressedRegistry plain = new ContentAddressedRegistry(backend);
        StoredBlob first = value(plain.put(BlobSource.ofBytes(payload)));

        // A store that vouches for the right SHA-256: reused, not read.
        HookedBackend vouching = new HookedBackend(backend, () -> { });
        vouching.stat = new BlobStat(payload.length, sha, null);
        StoredBlob reused = value(new ContentAddressedRegistry(vouching).put(BlobSource.ofBytes(payload)));
        assertThat(reused.uploaded()).isFalse();
        assertThat(vouching.reads).as("no read when the store vouches").isZero();

        // A store whose checksum differs: replaced, whatever the object's bytes.
        HookedBackend mismatching = new HookedBackend(backend, () -> { });
        mismatching.stat = new BlobStat(payload.length, "0".repeat(64), null);
        assertThat(value(new ContentAddressedRegistry(mismatching).put(BlobSource.ofBytes(payload))).uploaded())
                .isTrue();
        HookedBackend wrongCrc = new HookedBackend(backend, () -> { });
        wrongCrc.stat = new BlobStat(payload.length, null, "00000000");
        assertThat(value(new ContentAddressedRegistry(wrongCrc).put(BlobSource.ofBytes(payload))).uploaded())
                .isTrue();
        assertThat(read(first.key())).isEqualTo(payload);
    }

    /**
     * Writes a file of pseudo-random bytes.
     *
     * @param size the size in bytes
     * @param seed the random seed
     * @return the file, in the test's temporary directory
     * @throws IOException if it cannot be written
     */
    protected Path randomFile(int size, long seed) throws IOException {
        Path file = Files.createTempFile(tempDir, "random-", ".bin");
        Random random = new Random(seed);
        byte[] chunk = new byte[64 * 1024];
        try (OutputStream out = Files.newOutputStream(file)) {
            for (int left = size; left > 0; left -= chunk.length) {
                random.nextBytes(chunk);
                out.write(chunk, 0, Math.min(left, chunk.length));
            }
        }
        return file;
    }

    private void put(String key, byte[] content) {
        backend.put(key, BlobSource.ofBytes(content)).block(TIMEOUT);
    }

    private byte[] read(String key) {
        List<ByteBuffer> buffers = value(backend.get(key).collectList());
        int total = buffers.stream().mapToInt(ByteBuffer::remaining).sum();
        ByteBuffer all = ByteBuffer.allocate(total);
        buffers.forEach(all::put);
        return Arrays.copyOf(all.array(), total);
    }

    private List<String> list(String prefix) {
        return value(backend.list(prefix).collectList());
    }

    /** Waits for a call that must produce a value; an empty completion fails the test saying so. */
    private static <T> T value(Mono<T> call) {
        return Objects.requireNonNull(call.block(TIMEOUT), "the call completed empty instead of with a value");
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void write(Path file, byte[] content) {
        try {
            Files.write(file, content);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static List<Throwable> causes(Throwable e) {
        List<Throwable> all = new java.util.ArrayList<>();
        for (Throwable c = e; c != null && !all.contains(c); c = c.getCause()) {
            all.add(c);
        }
        return all;
    }

    /**
     * Delegates to a backend, running a hook at the start of {@link #stat}: after content-addressed storage has
     * hashed a source and before it uploads it. Optionally reports a fixed stat and counts reads.
     */
    private static final class HookedBackend implements RegistryBackend {
        private final RegistryBackend delegate;
        private final Runnable beforeStat;
        private @Nullable BlobStat stat;
        private int reads;

        HookedBackend(RegistryBackend delegate, Runnable beforeStat) {
            this.delegate = delegate;
            this.beforeStat = beforeStat;
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
        public Mono<BlobStat> stat(String key) {
            return Mono.defer(() -> {
                beforeStat.run();
                return stat != null ? Mono.just(stat) : delegate.stat(key);
            });
        }

        @Override
        public Mono<Void> put(String key, BlobSource source) {
            return delegate.put(key, source);
        }

        @Override
        public Flux<ByteBuffer> get(String key) {
            return Flux.defer(() -> {
                reads++;
                return delegate.get(key);
            });
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
        }
    }
}
