package io.datalake.registry.file;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.datalake.Datalake;
import io.datalake.Datum;
import io.datalake.NewDatum;
import io.datalake.RegistrySettings;
import io.datalake.lineage.LineageDirection;
import io.datalake.mongo.TestLakes;
import java.io.ByteArrayInputStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Supplier;
import org.bson.types.ObjectId;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.reactivestreams.Publisher;
import reactor.blockhound.BlockHound;
import reactor.core.publisher.Flux;
import reactor.core.scheduler.ReactorBlockHoundIntegration;
import reactor.core.scheduler.Schedulers;

/**
 * No operation of the lake blocks a Reactor non-blocking thread: every public operation (add of each payload kind,
 * get, getData, getPayload, queries, walks, lineage, statistics) is subscribed from {@link Schedulers#parallel()}
 * against the embedded server with a file registry, under BlockHound.
 *
 * <p>BlockHound is installed with Reactor's integration only, so the threads it checks are Reactor's non-blocking
 * ones ({@code parallel}, {@code single}): the embedded server's Netty event loops and the MongoDB driver's own
 * threads are deliberately not checked (Netty's integration is not loaded), since they are not ours and the
 * embedded server does blocking work by design. The MongoDB driver's short in-memory locks
 * ({@code com.mongodb.internal.Locks}), which park a thread only while another one holds them, are allowed too.
 * Besides BlockHound's built-in blocking methods (socket and stream I/O, sleeping, parking), the JDK's file-system
 * primitives are marked blocking: opening, stat, creating directories, renaming, deleting and reading or writing
 * file channels. Runs in the {@code blockhound} execution of this module's pom, which adds the JVM flag BlockHound
 * needs on JDK 13 and later.
 */
class EmbeddedBlockingCallsTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final String UNIX_DISPATCHER = "sun.nio.fs.UnixNativeDispatcher";
    private static final String FILE_DISPATCHER = "sun.nio.ch.FileDispatcherImpl";
    private static final String MONGO_LOCKS = "com.mongodb.internal.Locks";
    private static final String QUERY = "[{\"column\": \"image\", \"data.type\": \"image\"},"
            + " {\"column\": \"label\", \"derived_from\": \"image\", \"data.type\": \"label\"}]";

    @TempDir
    Path dir;

    /** Blocking calls seen on non-blocking threads, each with the stack that made it. */
    private static final Queue<Throwable> BLOCKED = new ConcurrentLinkedQueue<>();

    private static void install() {
        BlockHound.builder()
                .with(new ReactorBlockHoundIntegration())
                .markAsBlocking(UNIX_DISPATCHER, "open0", "(JII)I")
                .markAsBlocking(UNIX_DISPATCHER, "stat0", "(JLsun/nio/fs/UnixFileAttributes;)V")
                .markAsBlocking(UNIX_DISPATCHER, "stat1", "(J)I")
                .markAsBlocking(UNIX_DISPATCHER, "exists0", "(J)Z")
                .markAsBlocking(UNIX_DISPATCHER, "lstat0", "(JLsun/nio/fs/UnixFileAttributes;)V")
                .markAsBlocking(UNIX_DISPATCHER, "mkdir0", "(JI)V")
                .markAsBlocking(UNIX_DISPATCHER, "unlink0", "(J)V")
                .markAsBlocking(UNIX_DISPATCHER, "rename0", "(JJ)V")
                .markAsBlocking(UNIX_DISPATCHER, "realpath0", "(J)[B")
                .markAsBlocking(UNIX_DISPATCHER, "opendir0", "(J)J")
                .markAsBlocking(UNIX_DISPATCHER, "access0", "(JI)V")
                .markAsBlocking(FILE_DISPATCHER, "read0", "(Ljava/io/FileDescriptor;JI)I")
                .markAsBlocking(FILE_DISPATCHER, "write0", "(Ljava/io/FileDescriptor;JI)I")
                .markAsBlocking(FILE_DISPATCHER, "force0", "(Ljava/io/FileDescriptor;Z)I")
                // The driver's in-memory locks (its connection pool's work queue, ...) park a thread only under
                // contention, for as long as another thread updates that state: the driver's own concern.
                .allowBlockingCallsInside(MONGO_LOCKS, "checkedWithLock")
                .allowBlockingCallsInside(MONGO_LOCKS, "checkedWithInterruptibleLock")
                .allowBlockingCallsInside(MONGO_LOCKS, "lockInterruptibly")
                .blockingMethodCallback(method -> BLOCKED.add(new Error("blocking call " + method)))
                .install();
    }

    /** Subscribes on a non-blocking thread, as a caller running inside a reactive pipeline does. */
    private static <T> List<T> fromParallel(Supplier<? extends Publisher<T>> operation) {
        return Flux.defer(operation).subscribeOn(Schedulers.parallel()).collectList().block(TIMEOUT);
    }

    /** Every operation once, each on a fresh lake and a registry directory that does not exist yet. */
    private void exercise(Path root) throws Exception {
        Path spool = Files.createDirectories(root.resolve("spool"));
        Datalake lake = TestLakes.newLake(s -> s.registry(RegistrySettings.builder().spoolDirectory(spool).build()));
        try {
            String registry = root.resolve("registry").toString();
            Path file = Files.write(root.resolve("payload.bin"), "file bytes".getBytes(StandardCharsets.UTF_8));
            Datum image = fromParallel(() -> lake.addDatum(Map.of("type", "image"), null)).get(0);
            // Each payload kind with no parent (its payload step starts on the subscribing thread) and with one.
            Datum bytes = fromParallel(() -> lake.addDatum("some bytes".getBytes(StandardCharsets.UTF_8), null,
                    registry, null)).get(0);
            Datum json = fromParallel(() -> lake.addDatum(Map.of("type", "label", "boxes", List.of(1, 2)), null,
                    registry, null)).get(0);
            Datum stream = fromParallel(() -> lake.addDatum(
                    new ByteArrayInputStream("streamed".getBytes(StandardCharsets.UTF_8)), null, registry, null))
                    .get(0);
            Datum fromFile = fromParallel(() -> lake.addDatum(file, null, registry, null)).get(0);
            Datum child = fromParallel(() -> lake.addDatum("child bytes".getBytes(StandardCharsets.UTF_8), null,
                    registry, image.id())).get(0);
            fromParallel(() -> lake.addDatum(Map.of("type", "label"), null, registry, image.id()));
            fromParallel(() -> lake.addDatum(new ByteArrayInputStream(new byte[] {1, 2, 3}), null, registry,
                    child.id()));
            Datum grandchild = fromParallel(() -> lake.addDatum(file, null, registry, child.id())).get(0);
            List<Datum> batch = fromParallel(() -> lake.addData(Flux.range(0, 100).map(i -> NewDatum.builder()
                    .data(Map.of("type", "label", "i", i)).derivedFrom(image.id()).build())));
            fromParallel(() -> lake.addData(Flux.range(0, 3).map(i -> NewDatum.builder()
                    .data(("batch " + i).getBytes(StandardCharsets.UTF_8)).registryUri(registry).build())));

            assertThat(fromParallel(() -> lake.getDatum(json.id()))).hasSize(1);
            List<ObjectId> ids = List.of(image.id(), bytes.id(), json.id(), stream.id(), fromFile.id(), child.id());
            assertThat(fromParallel(() -> lake.getData(ids))).hasSize(ids.size());
            assertThat(fromParallel(() -> lake.getPayload(fromFile.id()))).isNotEmpty();
            assertThat(fromParallel(() -> lake.queryData(QUERY, null, false))).hasSize(1);
            assertThat(fromParallel(() -> lake.getDirectlyDerivedData(image.id()))).hasSize(102);
            // 102 children: the next level is found by a scan.
            assertThat(fromParallel(() -> lake.getIndirectlyDerivedData(image.id()))).hasSize(105);
            assertThat(fromParallel(() -> lake.getIndirectlyDerivedData(child.id()))).hasSize(3);
            assertThat(fromParallel(() -> lake.getAncestors(grandchild.id()))).hasSize(2);
            assertThat(fromParallel(() -> lake.getLineage(child.id(), LineageDirection.BOTH))).hasSize(1);
            assertThat(fromParallel(lake::getStats)).hasSize(1);
            assertThat(batch).hasSize(100);
        } finally {
            lake.close();
        }
    }

    @Test
    void noOperationBlocksANonBlockingThread() throws Exception {
        assumeTrue(ManagementFactory.getRuntimeMXBean().getInputArguments()
                .contains("-XX:+AllowRedefinitionToAddDeleteMethods"), "runs in the blockhound execution");
        // Once before installing: loading classes and one-time tables (the media-type detector's) reads jars,
        // which is not the lake's own blocking.
        exercise(Files.createDirectory(dir.resolve("warm-up")));
        install();

        exercise(Files.createDirectory(dir.resolve("checked")));

        List<String> stacks = new ArrayList<>();
        for (Throwable blocked : BLOCKED) {
            StringBuilder stack = new StringBuilder(blocked.getMessage());
            for (StackTraceElement frame : blocked.getStackTrace()) {
                stack.append("\n\tat ").append(frame);
            }
            stacks.add(stack.toString());
        }
        assertThat(stacks).as("blocking calls on non-blocking threads").isEmpty();
    }
}
