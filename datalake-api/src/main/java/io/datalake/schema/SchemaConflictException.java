package io.datalake.schema;

import io.datalake.DatalakeTransientException;

/**
 * Thrown by {@link Schemas#register} when other registrations of the same kind kept taking the next version number
 * (each attempt re-reads the latest version; after a few lost races the call gives up). Nothing of this call was
 * stored; registering again will take the next free number.
 */
public class SchemaConflictException extends DatalakeTransientException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param kind the kind
     * @param attempts how many version numbers were tried
     */
    public SchemaConflictException(String kind, int attempts) {
        super("could not register a schema for kind '" + kind + "': concurrent registrations took the next version"
                + " number " + attempts + " times; nothing was stored, register again", null);
    }
}
