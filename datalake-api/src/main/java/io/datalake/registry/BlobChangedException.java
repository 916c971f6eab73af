package io.datalake.registry;

import java.io.IOException;

/**
 * Thrown by a stream of a {@link BlobSource} that carries an expected hash when the bytes read differ from what was
 * hashed: the source changed while it was being stored. An {@link IOException}, so a backend treats it as any
 * failure of its source and aborts the write; content-addressed storage reports it as a
 * {@link io.datalake.RegistryException} naming the file. That failure is permanent (its
 * {@code isTransient()} is false) although this is an {@link IOException}: backends mark only network failures and
 * I/O timeouts transient, and retrying the same call with a source that keeps changing fails again.
 */
public final class BlobChangedException extends IOException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message what changed, naming the file
     */
    public BlobChangedException(String message) {
        super(message);
    }
}
