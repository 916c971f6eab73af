package io.datalake.registry.file;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.datalake.Datalake;
import io.datalake.Datum;
import io.datalake.DatumNotFoundException;
import io.datalake.RegistrySettings;
import io.datalake.mongo.TestLakes;
import io.datalake.registry.ContentAddressedRegistry;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.stream.Stream;
import org.bson.types.ObjectId;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.publisher.Hooks;
import reactor.core.publisher.Mono;

/**
 * Stream uploads cancelled at random moments (before spooling starts, while spooling, while uploading) close the
 * caller's stream and leave no spool file behind. Seeded and bounded: a fixed number of rounds, each ended by a
 * timeout of a few hundred microseconds at most.
 */
class EmbeddedCancelledUploadTest {
    private static final long SEED = 20261124L;
    private static final int ROUNDS = 300;
    private static final Duration SETTLE = Duration.ofSeconds(20);

    @TempDir
    Path dir;

    /** A stream of random bytes handed over a few KiB per read, so a cancellation can land while it is copied. */
    private static final class TrackedStream extends InputStream {
        private final ByteArrayInputStream bytes;
        final AtomicBoolean closed = new AtomicBoolean();
        final AtomicBoolean read = new AtomicBoolean();

        TrackedStream(byte[] content) {
            this.bytes = new ByteArrayInputStream(content);
        }

        @Override
        public int read() {
            read.set(true);
            return bytes.read();
        }

        @Override
        public int read(byte[] buffer, int offset, int length) {
            read.set(true);
            return bytes.read(buffer, offset, Math.min(length, 4096));
        }

        @Override
        public void close() {
            closed.set(true);
        }
    }

    private static byte[] content(Random random) {
        byte[] content = new byte[random.nextInt(512 * 1024)];
        random.nextBytes(content);
        return content;
    }

    /** Runs the uploads, each cut short by a random timeout (zero for some: cancelled before anything ran). */
    private static List<TrackedStream> cancelAtRandom(Function<InputStream, Mono<?>> upload) {
        Random random = new Random(SEED);
        List<TrackedStream> streams = new ArrayList<>();
        for (int i = 0; i < ROUNDS; i++) {
            TrackedStream stream = new TrackedStream(content(random));
            streams.add(stream);
            long micros = random.nextInt(4) == 0 ? 0 : random.nextInt(400);
            upload.apply(stream)
                    .timeout(Duration.ofNanos(micros * 1000 + 1))
                    .onErrorResume(TimeoutException.class, e -> Mono.empty())
                    .block(Duration.ofSeconds(30));
        }
        return streams;
    }

    /** Waits, boundedly, for work that was cancelled mid-read to notice and clean up. */
    private static void awaitClean(List<TrackedStream> streams, Path spool) throws Exception {
        assertThat(streams).as("some rounds were cut short while reading").anyMatch(s -> s.read.get());
        long deadline = System.nanoTime() + SETTLE.toNanos();
        while (System.nanoTime() < deadline && !(streams.stream().allMatch(s -> s.closed.get()) && isEmpty(spool))) {
            Thread.sleep(20);
        }
        assertThat(streams).as("every stream is closed").allMatch(s -> s.closed.get());
        try (Stream<Path> left = Files.list(spool)) {
            assertThat(left).as("spool files left behind").isEmpty();
        }
    }

    private static boolean isEmpty(Path directory) {
        try (Stream<Path> files = Files.list(directory)) {
            return files.findAny().isEmpty();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void registryStreamUploadsCancelledAtRandomCloseTheStreamAndLeaveNoSpoolFile() throws Exception {
        Path spool = Files.createDirectory(dir.resolve("spool"));
        ContentAddressedRegistry registry = new ContentAddressedRegistry(
                FileRegistryBackend.open(dir.resolve("reg")), spool);

        List<TrackedStream> streams = cancelAtRandom(registry::put);

        awaitClean(streams, spool);
    }

    @Test
    void lakeStreamDatumsCancelledAtRandomCloseTheStreamAndLeaveNoSpoolFile() throws Exception {
        Path spool = Files.createDirectory(dir.resolve("spool"));
        String registry = dir.resolve("reg").toString();
        Datalake lake = TestLakes.newLake(s -> s.registry(RegistrySettings.builder().spoolDirectory(spool).build()));
        // An error signalled after a cancel has nobody to go to: Reactor drops it and logs it as an ERROR.
        List<Throwable> dropped = new CopyOnWriteArrayList<>();
        Hooks.onErrorDropped(dropped::add);
        try {
            // Every other call names a parent, which addDatum checks before its payload step: some of those are
            // cancelled before the payload's turn, the others while their stream is read.
            Datum parent = lake.addDatum(Map.of("type", "image"), null).block(Duration.ofSeconds(30));
            AtomicInteger calls = new AtomicInteger();
            List<TrackedStream> streams = cancelAtRandom(stream -> lake.addDatum(stream, null, registry,
                    calls.getAndIncrement() % 2 == 0 ? null : parent.id()));

            // Every stream handed over is closed: by the upload that read it, or unread by a call that ended
            // before its payload's turn.
            awaitClean(streams, spool);
            TrackedStream orphan = new TrackedStream(new byte[] {1, 2, 3});
            assertThatThrownBy(() -> lake.addDatum(orphan, null, registry, new ObjectId()).block())
                    .isInstanceOf(DatumNotFoundException.class);
            assertThat(orphan.closed).as("a stream whose add failed its parent check is closed").isTrue();
            assertThat(dropped).as("errors dropped after a cancel").isEmpty();
            // A stream that is not cancelled is still stored whole, its type detected from the bytes read.
            byte[] png = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0, 0, 0, 0};
            TrackedStream stream = new TrackedStream(png);
            Datum stored = lake.addDatum(stream, null, registry, null).block(Duration.ofSeconds(30));
            assertThat(stream.closed).isTrue();
            assertThat(stored.payload().contentType()).isEqualTo("image/png");
            assertThat((byte[]) lake.getDatum(stored.id()).block(Duration.ofSeconds(30)).data()).isEqualTo(png);
        } finally {
            Hooks.resetOnErrorDropped();
            lake.close();
        }
    }
}
