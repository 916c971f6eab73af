package io.datalake.dataset;

import io.datalake.InvalidArgumentException;

/**
 * Thrown before anything is written when a dataset name, tag name or version reference is not valid.
 */
public class InvalidDatasetNameException extends InvalidArgumentException {
    private static final long serialVersionUID = 1L;

    /** The offending text. */
    private final String name;

    /**
     * Creates the exception.
     *
     * @param name the offending name or reference
     * @param rule what a valid one looks like
     */
    public InvalidDatasetNameException(String name, String rule) {
        super("invalid dataset name or reference '" + name + "': " + rule);
        this.name = name;
    }

    /**
     * Returns the offending text.
     *
     * @return the name
     */
    public String name() {
        return name;
    }
}
