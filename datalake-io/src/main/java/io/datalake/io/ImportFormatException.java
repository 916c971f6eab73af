package io.datalake.io;

import io.datalake.InvalidArgumentException;
import java.nio.file.Path;
import org.jspecify.annotations.Nullable;

/**
 * An annotation file of an import is malformed, or names an image that cannot be imported (missing, outside the
 * images folder). Raised while the import checks its files, before anything is written. The message reads
 * {@code FILE:LINE:COLUMN: FIELD: what is wrong}, e.g. {@code instances.json:40:5: annotations[12].bbox: must be
 * 4 numbers >= 0, got [1,2,-3,4]}; line and column are those of the entry (or of the syntax error) when the parser
 * gives them.
 */
public class ImportFormatException extends InvalidArgumentException {
    private static final long serialVersionUID = 1L;

    /** The file, as a string (paths are not serializable). */
    private final String file;
    private final @Nullable String field;
    private final long line;
    private final long column;

    /**
     * Creates the exception.
     *
     * @param file the annotation file
     * @param field the field or entry at fault, e.g. {@code annotations[12].bbox} or
     *     {@code annotation/object[2]/bndbox/xmin}, or null when the file as a whole is unreadable
     * @param line the 1-based line, or -1 if unknown
     * @param column the 1-based column, or -1 if unknown
     * @param problem what is wrong, naming the offending value
     * @param cause the parser's error, or null
     */
    public ImportFormatException(Path file, @Nullable String field, long line, long column, String problem,
            @Nullable Throwable cause) {
        super(file + (line > 0 ? ":" + line + (column > 0 ? ":" + column : "") : "") + ": "
                + (field != null ? field + ": " : "") + problem, cause);
        this.file = file.toString();
        this.field = field;
        this.line = line;
        this.column = column;
    }

    /**
     * Returns the annotation file at fault.
     *
     * @return the path as given to the import (or found in its folder)
     */
    public Path file() {
        return Path.of(file);
    }

    /**
     * Returns the field or entry at fault.
     *
     * @return e.g. {@code annotations[12].bbox}, or null when the file as a whole is at fault
     */
    public @Nullable String field() {
        return field;
    }

    /**
     * Returns the line of the entry or syntax error.
     *
     * @return the 1-based line, or -1 if unknown
     */
    public long line() {
        return line;
    }

    /**
     * Returns the column of the entry or syntax error.
     *
     * @return the 1-based column, or -1 if unknown
     */
    public long column() {
        return column;
    }
}
