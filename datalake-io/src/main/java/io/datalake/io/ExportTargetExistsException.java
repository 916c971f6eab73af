package io.datalake.io;

import io.datalake.InvalidArgumentException;
import java.nio.file.Path;

/**
 * The output folder of an export already exists. An export never writes into or over an existing path; it is
 * refused before anything is written.
 */
public class ExportTargetExistsException extends InvalidArgumentException {
    private static final long serialVersionUID = 1L;

    /** The path that exists, as a string (paths are not serializable). */
    private final String target;

    /**
     * Creates the exception.
     *
     * @param target the output folder that already exists
     */
    public ExportTargetExistsException(Path target) {
        super("export target already exists: " + target + " (choose a new folder; an export never overwrites)");
        this.target = target.toString();
    }

    /**
     * Returns the output folder that exists.
     *
     * @return the path
     */
    public Path target() {
        return Path.of(target);
    }
}
