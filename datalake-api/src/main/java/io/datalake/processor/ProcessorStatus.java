package io.datalake.processor;

import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * What the lake records about a processor version, across all its workers: read from the stored leases.
 *
 * @param name the processor's name
 * @param version its version
 * @param input its input as JSON (the query or filter it was last started with)
 * @param done inputs done
 * @param leased inputs leased right now (being worked on, or held by a worker that died until the lease expires)
 * @param waiting inputs that failed and wait for their next attempt
 * @param deadLetters inputs that became dead letters
 * @param lastActiveAt when a worker last started or finished an input, or null if none ever did
 */
public record ProcessorStatus(String name, String version, String input, long done, long leased, long waiting,
        long deadLetters, @Nullable Instant lastActiveAt) {
    /**
     * Returns {@code NAME@VERSION}.
     *
     * @return the key
     */
    public String key() {
        return name + "@" + version;
    }
}
