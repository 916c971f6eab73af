package io.datalake.io.internal;

import io.datalake.io.ImportFormatException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/** Resolves the image file names found in annotation files, which are untrusted, inside the images folder. */
final class ImportFiles {
    private ImportFiles() {
    }

    /**
     * Resolves a file name from an annotation file against the images folder.
     *
     * @param imagesRoot the images folder's real path
     * @param name the name as written in the annotation file
     * @param annotationFile the annotation file (for the error)
     * @param field the field holding the name (for the error)
     * @param line the entry's line, or -1
     * @param column the entry's column, or -1
     * @return the image's real path, a regular file inside {@code imagesRoot}
     * @throws ImportFormatException if the name is empty, absolute, escapes the folder (by {@code ..} or a symbolic
     *     link), or names no regular file
     */
    static Path resolveImage(Path imagesRoot, String name, Path annotationFile, String field, long line,
            long column) {
        if (name.isBlank()) {
            throw new ImportFormatException(annotationFile, field, line, column, "must be a file name, got \"" + name
                    + "\"", null);
        }
        Path relative;
        try {
            relative = imagesRoot.getFileSystem().getPath(name);
        } catch (InvalidPathException e) {
            throw new ImportFormatException(annotationFile, field, line, column, "not a valid file name: \"" + name
                    + "\"", e);
        }
        if (relative.isAbsolute() || relative.getRoot() != null) {
            throw new ImportFormatException(annotationFile, field, line, column, "absolute path \"" + name
                    + "\" refused: file names must be relative to the images folder " + imagesRoot, null);
        }
        Path candidate = imagesRoot.resolve(relative).normalize();
        if (!candidate.startsWith(imagesRoot)) {
            throw new ImportFormatException(annotationFile, field, line, column, "\"" + name
                    + "\" refused: it leaves the images folder " + imagesRoot, null);
        }
        Path real;
        try {
            real = candidate.toRealPath();
        } catch (NoSuchFileException e) {
            throw new ImportFormatException(annotationFile, field, line, column, "image file not found: "
                    + candidate, null);
        } catch (IOException e) {
            throw new ImportFormatException(annotationFile, field, line, column, "cannot read image file "
                    + candidate + ": " + e.getMessage(), e);
        }
        // A symbolic link inside the folder may point anywhere: what counts is where the bytes are.
        if (!real.startsWith(imagesRoot)) {
            throw new ImportFormatException(annotationFile, field, line, column, "\"" + name
                    + "\" refused: it is a symbolic link to " + real + ", outside the images folder " + imagesRoot,
                    null);
        }
        if (!Files.isRegularFile(real)) {
            throw new ImportFormatException(annotationFile, field, line, column, "not a regular file: " + real,
                    null);
        }
        if (!Files.isReadable(real)) {
            throw new ImportFormatException(annotationFile, field, line, column, "image file not readable: " + real,
                    null);
        }
        return real;
    }

    /**
     * Returns a folder's real path.
     *
     * @param folder the folder
     * @param what what it is, for the error
     * @return the real path
     * @throws io.datalake.InvalidArgumentException if it is not a readable folder
     */
    static Path realFolder(Path folder, String what) {
        try {
            Path real = folder.toRealPath();
            if (!Files.isDirectory(real)) {
                throw new io.datalake.InvalidArgumentException(what + " " + folder + " is not a folder");
            }
            return real;
        } catch (IOException e) {
            throw new io.datalake.InvalidArgumentException(what + " " + folder + " cannot be read: " + e, e);
        }
    }

    /**
     * Names a file relative to a folder with {@code /} separators, as recorded in metadata.
     *
     * @param folder the folder
     * @param file a file inside it
     * @return the relative name
     */
    static String relative(Path folder, Path file) {
        return folder.relativize(file).toString().replace(file.getFileSystem().getSeparator(), "/");
    }
}
