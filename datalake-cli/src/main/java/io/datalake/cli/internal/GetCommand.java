package io.datalake.cli.internal;

import io.datalake.Datalake;
import io.datalake.Datum;
import io.datalake.PayloadInfo;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;
import java.util.LinkedHashMap;
import java.util.Map;
import org.bson.types.ObjectId;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code datalake get}: prints one datum and optionally writes its payload to a file. */
@Command(
        name = "get",
        description = {
            "Print one datum as JSON.",
            "A registry payload is described (content type, size, SHA-256), not printed: write it with "
                    + "--payload-out."
        },
        footerHeading = "%nExamples:%n",
        footer = {
            "  datalake get 665f1c2e8a9b4c3d2e1f0a9b",
            "  datalake get 665f1c2e8a9b4c3d2e1f0a9b --payload-out cat.jpg",
            "  datalake get 665f1c2e8a9b4c3d2e1f0a9b --payload-out - | jq ."
        })
final class GetCommand extends LakeCommand {
    @Parameters(index = "0", paramLabel = "ID", description = "The datum's id.")
    @Nullable ObjectId id;

    @Option(names = "--payload-out", paramLabel = "FILE",
            description = "Write the datum's data to FILE ('-' for standard output): a registry payload's bytes as"
                    + " stored, inline data as JSON. A payload is verified against its SHA-256 before any byte"
                    + " reaches FILE or standard output.")
    @Nullable String payloadOut;

    @Override
    void validate() {
        if (payloadOut == null || "-".equals(payloadOut)) {
            return;
        }
        Path target = Path.of(payloadOut).toAbsolutePath();
        if (Files.isDirectory(target)) {
            throw new UsageException("--payload-out " + payloadOut + " is a directory; give a file path such as "
                    + Path.of(payloadOut).resolve(id() + ".bin"));
        }
        Path parent = target.getParent();
        if (parent != null && !Files.isDirectory(parent)) {
            throw new UsageException("--payload-out " + payloadOut + ": the directory " + parent
                    + (Files.exists(parent) ? " is not a directory" : " does not exist; create it first (mkdir -p "
                            + parent + ")"));
        }
    }

    @Override
    int run(Datalake lake) throws IOException {
        Datum datum = lake.getDatum(id(), false).block();
        if (datum == null) {
            throw new IllegalStateException("getDatum completed without a datum");
        }
        if (payloadOut == null) {
            out().println(Json.write(describe(datum), true));
            return 0;
        }
        long written = writePayload(lake, datum);
        if (!"-".equals(payloadOut)) {
            err().println("wrote " + written + " bytes to " + payloadOut);
        }
        return 0;
    }

    static Map<String, @Nullable Object> describe(Datum datum) {
        Map<String, @Nullable Object> json = Json.datum(datum);
        PayloadInfo payload = datum.payload();
        if (payload != null) {
            Map<String, @Nullable Object> info = new LinkedHashMap<>();
            info.put("content_type", payload.contentType());
            info.put("size", payload.size());
            info.put("sha256", payload.sha256());
            json.put("payload", info);
            json.remove("data");
        }
        return json;
    }

    private long writePayload(Datalake lake, Datum datum) throws IOException {
        boolean toStdout = "-".equals(payloadOut);
        if (datum.registryUri() == null) {
            Object data = datum.data();
            byte[] bytes = data instanceof byte[]
                    ? (byte[]) data
                    : (Json.write(data, true) + "\n").getBytes(StandardCharsets.UTF_8);
            if (toStdout) {
                out().write(bytes);
                out().flush();
            } else {
                try {
                    Files.write(Path.of(payloadOut), bytes);
                } catch (IOException e) {
                    throw cannotWrite(payloadOut, e);
                }
            }
            return bytes.length;
        }
        // The payload is verified only when its stream completes, so no byte is shown before that: standard
        // output, and an existing device, pipe or socket (/dev/null, a FIFO), get a spooled copy once it is
        // verified, written into them (renaming onto a device would replace it with a regular file); a regular
        // file is written beside its target (through a symbolic link) and moved in place.
        Path named = toStdout ? null : Path.of(payloadOut).toAbsolutePath();
        boolean special = named != null && Files.exists(named) && !Files.isRegularFile(named);
        Path target = named == null || special ? named : realTarget(named);
        Path temp;
        try {
            temp = target == null || special
                    ? Files.createTempFile("datalake-get-", ".part")
                    : besideTarget(target);
        } catch (IOException e) {
            throw cannotWrite(target == null || special ? "a temporary file in "
                    + System.getProperty("java.io.tmpdir")
                    + " (set TMPDIR or DATALAKE_JAVA_OPTS=-Djava.io.tmpdir=DIR)" : payloadOut, e);
        }
        try {
            long written;
            try (OutputStream file = Files.newOutputStream(temp)) {
                written = stream(lake, Channels.newChannel(file));
            } catch (IOException e) {
                throw cannotWrite(target == null || special ? temp.toString() : payloadOut, e);
            }
            if (target == null) {
                Files.copy(temp, out());
                out().flush();
            } else if (special) {
                try (OutputStream device = Files.newOutputStream(target, StandardOpenOption.WRITE)) {
                    Files.copy(temp, device);
                } catch (IOException e) {
                    throw cannotWrite(payloadOut, e);
                }
            } else {
                try {
                    Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
                } catch (IOException e) {
                    throw cannotWrite(payloadOut, e);
                }
            }
            return written;
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    /** The file a name leads to: a symbolic link to a file is written through, as cp and shell redirection do. */
    private static Path realTarget(Path named) {
        try {
            return Files.exists(named) ? named.toRealPath() : named;
        } catch (IOException e) {
            return named;
        }
    }

    /**
     * A new temporary file beside the target. It gets the existing target's permissions, or else the permissions a
     * new file gets from the umask (like shell redirection), not the owner-only ones of a JDK temporary file, so
     * the renamed result is what the user expects to find.
     */
    private static Path besideTarget(Path target) throws IOException {
        Path parent = target.getParent();
        String name = "." + target.getFileName() + "." + Long.toUnsignedString(new SecureRandom().nextLong(), 36)
                + ".part";
        Path temp = Files.createFile(parent == null ? Path.of(name) : parent.resolve(name));
        try {
            if (Files.isRegularFile(target)) {
                Files.setPosixFilePermissions(temp, Files.getPosixFilePermissions(target));
            }
        } catch (UnsupportedOperationException | IOException e) {
            // Not a POSIX file system, or the target's permissions cannot be read: the default ones stay.
        }
        return temp;
    }

    /** An I/O failure on the output, naming the file and the reason (the JDK's message is often just a path). */
    private static UncheckedIOException cannotWrite(@Nullable String what, IOException e) {
        String reason;
        if (e instanceof AccessDeniedException) {
            reason = "permission denied";
        } else if (e instanceof NoSuchFileException) {
            reason = "no such file or directory";
        } else if (e instanceof FileSystemException && ((FileSystemException) e).getReason() != null) {
            reason = ((FileSystemException) e).getReason();
        } else {
            reason = e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
        }
        return new UncheckedIOException("cannot write " + what + ": " + reason, e);
    }

    private long stream(Datalake lake, WritableByteChannel channel) {
        long[] written = {0};
        lake.getPayload(id()).doOnNext(buffer -> {
            try {
                ByteBuffer b = buffer.duplicate();
                while (b.hasRemaining()) {
                    written[0] += channel.write(b);
                }
            } catch (IOException e) {
                throw cannotWrite("-".equals(payloadOut) ? "a temporary copy of the payload" : payloadOut, e);
            }
        }).blockLast();
        return written[0];
    }

    private ObjectId id() {
        if (id == null) {
            throw new UsageException("missing ID");
        }
        return id;
    }
}
