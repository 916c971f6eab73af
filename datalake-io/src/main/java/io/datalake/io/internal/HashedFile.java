package io.datalake.io.internal;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.util.HexFormat;

/** A text file of an export, hashed and counted as it is written, recorded in the manifest when finished. */
final class HashedFile {
    private final Workspace workspace;
    private final String relative;
    private final Path path;
    private final MessageDigest sha = Digests.sha256();
    private final BufferedWriter writer;

    HashedFile(Workspace workspace, String relative) throws IOException {
        this.workspace = workspace;
        this.relative = relative;
        this.path = workspace.dir().resolve(relative);
        Path parent = path.getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        OutputStream out = new DigestOutputStream(Files.newOutputStream(path, StandardOpenOption.CREATE_NEW,
                StandardOpenOption.WRITE), sha);
        this.writer = new BufferedWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8), 1 << 16);
    }

    void write(String text) {
        try {
            writer.write(text);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + path, e);
        }
    }

    void writeLine(String line) {
        write(line);
        write("\n");
    }

    /** Closes, flushes to disk and records the file in the manifest. */
    void finish() throws IOException {
        writer.close();
        Workspace.force(path, false);
        workspace.addFile(relative, Files.size(path), HexFormat.of().formatHex(sha.digest()));
    }

    void closeQuietly() {
        try {
            writer.close();
        } catch (IOException e) {
            // Only after a failure: the partial folder is deleted.
        }
    }
}
