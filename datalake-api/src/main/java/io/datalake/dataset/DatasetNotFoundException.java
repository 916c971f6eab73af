package io.datalake.dataset;

import io.datalake.DatalakeNonTransientException;

/**
 * Thrown when no dataset has the given name.
 */
public class DatasetNotFoundException extends DatalakeNonTransientException {
    private static final long serialVersionUID = 1L;

    /** The name. */
    private final String dataset;

    /**
     * Creates the exception.
     *
     * @param dataset the name nobody created
     */
    public DatasetNotFoundException(String dataset) {
        super("no dataset named '" + dataset + "'");
        this.dataset = dataset;
    }

    /**
     * Returns the missing dataset name.
     *
     * @return the name
     */
    public String dataset() {
        return dataset;
    }
}
