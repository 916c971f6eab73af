package io.datalake.io.internal;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.util.HexFormat;
import org.jspecify.annotations.Nullable;

/**
 * The partial folder of one export: a sibling of the output folder named {@code <name>.partial-<random>}, the
 * list of written files for the manifest (kept on disk, not in memory) and the final atomic rename.
 */
final class Workspace implements AutoCloseable {
    static final String PAYLOADS = "payloads";
    static final String MANIFEST = "manifest.json";
    /** The manifest's file list while the export runs, one JSON object per line; deleted before the rename. */
    private static final String FILE_LIST = ".files.jsonl";

    private final Path target;
    private final Path dir;
    private final Writer fileList;
    private boolean closed;
    /** Set when the export failed or was cancelled: copies still running clean up after themselves. */
    private volatile boolean discarded;

    private Workspace(Path target, Path dir) throws IOException {
        this.target = target;
        this.dir = dir;
        this.fileList = Files.newBufferedWriter(dir.resolve(FILE_LIST), StandardCharsets.UTF_8,
                StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
    }

    /**
     * Creates the partial folder next to {@code target}, creating the parent if missing.
     *
     * @throws IOException if the folder cannot be created
     */
    static Workspace create(Path target) throws IOException {
        Path parent = target.getParent();
        if (parent == null) {
            throw new IOException("the export target has no parent folder: " + target);
        }
        Files.createDirectories(parent);
        Path dir = Files.createTempDirectory(parent, target.getFileName() + ".partial-");
        try {
            return new Workspace(target, dir);
        } catch (IOException | RuntimeException e) {
            deleteTree(dir);
            throw e;
        }
    }

    Path dir() {
        return dir;
    }

    /** Returns a folder of the partial folder, created if missing. */
    synchronized Path folder(String relative) throws IOException {
        // Under the lock close() takes: a payload copy still starting when the export is abandoned must not
        // re-create the partial folder close() just deleted (it would be left behind).
        if (discarded) {
            throw new IOException("export abandoned: " + dir + " was deleted");
        }
        return Files.createDirectories(dir.resolve(relative));
    }

    /** Records a written file for the manifest. */
    synchronized void addFile(String relativePath, long size, String sha256) throws IOException {
        fileList.write("{\"path\": \"" + relativePath + "\", \"size\": " + size + ", \"sha256\": \"" + sha256
                + "\"}\n");
    }

    /**
     * Writes {@code manifest.json} ({@code head} is a JSON object without its closing brace, to which the file
     * list is appended as {@code "files"}), flushes everything to disk and renames the folder to the target.
     *
     * @return the manifest's SHA-256
     */
    synchronized String commit(String head) throws IOException {
        fileList.close();
        Path listPath = dir.resolve(FILE_LIST);
        MessageDigest sha = Digests.sha256();
        Path manifest = dir.resolve(MANIFEST);
        try (OutputStream out = new DigestOutputStream(Files.newOutputStream(manifest, StandardOpenOption.CREATE_NEW,
                StandardOpenOption.WRITE), sha);
                BufferedWriter w = new BufferedWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8));
                var lines = Files.lines(listPath, StandardCharsets.UTF_8)) {
            w.write(head);
            w.write(",\n  \"files\": [");
            boolean[] first = {true};
            for (var it = lines.iterator(); it.hasNext(); ) {
                w.write(first[0] ? "\n    " : ",\n    ");
                first[0] = false;
                w.write(it.next());
            }
            w.write("\n  ]\n}\n");
        }
        Files.delete(listPath);
        force(manifest, false);
        try (var children = Files.list(dir)) {
            for (Path child : (Iterable<Path>) children::iterator) {
                if (Files.isDirectory(child, LinkOption.NOFOLLOW_LINKS)) {
                    force(child, true);
                }
            }
        }
        force(dir, true);
        if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
            // rename(2) would silently replace an empty folder: check again right before it.
            throw new FileAlreadyExistsException(target.toString());
        }
        try {
            Files.move(dir, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            throw new IOException("cannot rename " + dir + " to " + target + " atomically", e);
        }
        closed = true;
        Path parent = target.getParent();
        if (parent != null) {
            force(parent, true);
        }
        return HexFormat.of().formatHex(sha.digest());
    }

    /** Closes the file list and deletes the partial folder, unless it was committed. Never throws. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        discarded = true;
        try {
            fileList.close();
        } catch (IOException e) {
            // The folder is deleted next; nothing in it matters any more.
        }
        deleteTree(dir);
    }

    /** Whether the export was abandoned (failed or cancelled) and its partial folder deleted. */
    boolean discarded() {
        return discarded;
    }

    /**
     * Deletes what a copy still running at {@link #close()} wrote after the folder was deleted: a cached payload copy
     * is not stopped by cancelling its subscribers, so each copy calls this when it ends.
     */
    void sweepIfDiscarded() {
        if (discarded) {
            deleteTree(dir);
        }
    }

    /** Flushes a file (or a folder's entries, where the platform allows opening folders) to disk. */
    static void force(Path path, boolean directory) throws IOException {
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException e) {
            if (!directory) {
                throw e;
            }
            // Some platforms (Windows) cannot open a folder; its entries are flushed with the files there.
        }
    }


    static void deleteTree(Path root) {
        try {
            Files.walkFileTree(root, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    Files.deleteIfExists(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path d, @Nullable IOException e) throws IOException {
                    Files.deleteIfExists(d);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            // Best effort: a partial folder left behind is named .partial-* and never looks complete.
        }
    }
}
