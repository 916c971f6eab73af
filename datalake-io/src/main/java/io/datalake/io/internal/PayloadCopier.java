package io.datalake.io.internal;

import io.datalake.Datalake;
import io.datalake.Datum;
import io.datalake.PayloadInfo;
import io.datalake.RegistryException;
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
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * Copies registry payloads into a folder of the export ({@link PayloadLayout}), named by the SHA-256 of their
 * bytes (plus an extension from the content type where the layout asks for one), hashing the bytes as they are written. A payload is
 * copied once per export: copies in flight are shared by name, and a name already on disk is not copied again. So
 * memory holds only the names in flight, never the set of all names.
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
        return Mono.using(() -> new Sink(workspace, workspace.folder(layout.folder())),
                sink -> lake.getPayload(datum.id())
                        // Written on the emitting thread, before the next buffer: a buffer is never queued.
                        .doOnNext(sink::write)
                        .then(Mono.fromCallable(() -> finish(sink, datum, expected, extension))
                                .subscribeOn(Schedulers.boundedElastic())),
                Sink::close)
                .subscribeOn(Schedulers.boundedElastic());
    }

    private String finish(Sink sink, Datum datum, @Nullable String expected, String extension)
            throws IOException {
        String hex = sink.complete();
        if (expected != null && !expected.equals(hex)) {
            throw new RegistryException("payload of datum " + datum.id() + " in " + datum.registryUri()
                    + " has SHA-256 " + hex + " but its datum records " + expected);
        }
        String relative = relative(hex, extension);
        Path target = workspace.dir().resolve(relative);
        if (workspace.discarded()) {
            throw new IOException("export abandoned while copying the payload of datum " + datum.id());
        }
        if (Files.exists(target)) {
            return relative;
        }
        Files.move(sink.path, target, StandardCopyOption.ATOMIC_MOVE);
        if (layout.listed()) {
            workspace.addFile(relative, sink.size, hex);
        }
        files.incrementAndGet();
        bytes.addAndGet(sink.size);
        return relative;
    }

    private String relative(String hex, String extension) {
        return layout.folder() + "/" + hex + extension;
    }

    /** One copy in progress: a temporary file in {@code payloads/}, its digest and size. */
    private static final class Sink {
        final Workspace workspace;
        final Path path;
        final FileChannel channel;
        final MessageDigest sha = Workspace.sha256();
        long size;

        Sink(Workspace workspace, Path folder) throws IOException {
            this.workspace = workspace;
            this.path = Files.createTempFile(folder, ".copy-", ".tmp");
            this.channel = FileChannel.open(path, StandardOpenOption.WRITE);
        }

        void write(ByteBuffer buffer) {
            ByteBuffer forHash = buffer.duplicate();
            try {
                while (buffer.hasRemaining()) {
                    size += channel.write(buffer);
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write " + path, e);
            }
            sha.update(forHash);
        }

        String complete() throws IOException {
            channel.force(true);
            channel.close();
            return HexFormat.of().formatHex(sha.digest());
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
