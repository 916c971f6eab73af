package io.datalake.io.internal;

import io.datalake.Datalake;
import io.datalake.Datum;
import io.datalake.PayloadInfo;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * Copies registry payloads into a folder of the export ({@link PayloadLayout}), named by the SHA-256 of their
 * bytes (plus an extension from the content type where the layout asks for one). A payload is copied once per
 * export: copies in flight are shared by name, and a name already on disk is not copied again. So memory holds only
 * the names in flight, never the set of all names.
 *
 * <p>Each byte is hashed once. The payload is read with {@link Datalake#getPayload(Datum)} from the datum the batch
 * read, so the lake verifies the bytes against the very hash that names the file and goes into the manifest (a
 * datum rewritten by another client meanwhile cannot split the two), and the stream completes only if they match.
 * The buffers are written as they arrive and never changed or kept, so the file holds exactly the verified bytes.
 * Only a datum without a well-formed recorded hash is hashed here, as it is written, and named by that hash.
 */
final class PayloadCopier {
    /** A stored hash is untrusted input: only 64 lowercase hex digits may name a file. */
    private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");

    private final Datalake lake;
    private final Workspace workspace;
    private final PayloadLayout layout;
    private final ConcurrentMap<String, Mono<String>> inFlight = new ConcurrentHashMap<>();
    private final AtomicLong files = new AtomicLong();
    private final AtomicLong bytes = new AtomicLong();

    PayloadCopier(Datalake lake, Workspace workspace, PayloadLayout layout) {
        this.lake = lake;
        this.workspace = workspace;
        this.layout = layout;
    }

    long files() {
        return files.get();
    }

    long bytes() {
        return bytes.get();
    }

    /**
     * Copies a registry datum's payload unless it is already there.
     *
     * @return the path relative to the export folder ({@code <folder>/<sha256>[.ext]})
     */
    Mono<String> copy(Datum datum) {
        PayloadInfo info = datum.payload();
        String declared = info != null && SHA256.matcher(info.sha256()).matches() ? info.sha256() : null;
        String extension = layout.extension(datum);
        if (declared == null) {
            // No trustworthy name in advance: copy, then name by the computed hash (a duplicate is dropped then).
            return copyNow(datum, null, extension);
        }
        return Mono.defer(() -> {
            String relative = relative(declared, extension);
            if (Files.exists(workspace.dir().resolve(relative))) {
                return Mono.just(relative);
            }
            return inFlight.computeIfAbsent(relative, name -> copyNow(datum, declared, extension)
                    .doFinally(signal -> inFlight.remove(name))
                    .cache());
        }).subscribeOn(Schedulers.boundedElastic());
    }

    private Mono<String> copyNow(Datum datum, @Nullable String expected, String extension) {
        return Mono.using(() -> new Sink(workspace, workspace.folder(layout.folder()), expected == null),
                sink -> lake.getPayload(datum)
                        // Written on the emitting thread, before the next buffer: a buffer is never queued.
                        .doOnNext(sink::write)
                        .then(Mono.fromCallable(() -> finish(sink, datum, expected, extension))
                                .subscribeOn(Schedulers.boundedElastic())),
                Sink::close)
                .subscribeOn(Schedulers.boundedElastic());
    }

    private String finish(Sink sink, Datum datum, @Nullable String expected, String extension)
            throws IOException {
        sink.complete();
        // getPayload(datum) completed, so the bytes written hash to the recorded (expected) value.
        String hex = expected != null ? expected : sink.hex();
        String relative = relative(hex, extension);
        Path target = workspace.dir().resolve(relative);
        if (workspace.discarded()) {
            throw new IOException("export abandoned while copying the payload of datum " + datum.id());
        }
        // Two copies of the same bytes can finish at once when neither datum records a hash (copies are shared by
        // name only when it is known in advance): check, move and list as one step so the file is listed once.
        synchronized (this) {
            if (Files.exists(target)) {
                return relative;
            }
            Files.move(sink.path, target, StandardCopyOption.ATOMIC_MOVE);
            if (layout.listed()) {
                workspace.addFile(relative, sink.size, hex);
            }
        }
        files.incrementAndGet();
        bytes.addAndGet(sink.size);
        return relative;
    }

    private String relative(String hex, String extension) {
        return layout.folder() + "/" + hex + extension;
    }

    /**
     * One copy in progress: a temporary file in {@code payloads/}, its size and, for a payload without a recorded
     * hash, its digest.
     */
    private static final class Sink {
        final Workspace workspace;
        final Path path;
        final FileChannel channel;
        final @Nullable MessageDigest sha;
        long size;

        Sink(Workspace workspace, Path folder, boolean hash) throws IOException {
            this.workspace = workspace;
            this.sha = hash ? Digests.sha256() : null;
            this.path = Files.createTempFile(folder, ".copy-", ".tmp");
            this.channel = FileChannel.open(path, StandardOpenOption.WRITE);
        }

        void write(ByteBuffer buffer) {
            ByteBuffer forHash = sha != null ? buffer.duplicate() : null;
            try {
                while (buffer.hasRemaining()) {
                    size += channel.write(buffer);
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write " + path, e);
            }
            if (sha != null && forHash != null) {
                sha.update(forHash);
            }
        }

        void complete() throws IOException {
            channel.force(true);
            channel.close();
        }

        String hex() {
            return HexFormat.of().formatHex(Objects.requireNonNull(sha, "hashed sink").digest());
        }

        void close() {
            try {
                channel.close();
                // After a successful move the temporary name is gone; otherwise drop the partial copy.
                Files.deleteIfExists(path);
            } catch (IOException e) {
                // The whole partial folder is deleted or renamed next; a stray .tmp cannot mislead.
            }
            // Runs after everything this copy wrote: whatever it added to an abandoned folder goes now.
            workspace.sweepIfDiscarded();
        }
    }
}
