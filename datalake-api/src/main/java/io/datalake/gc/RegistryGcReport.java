package io.datalake.gc;

import java.time.Duration;
import java.util.List;

/**
 * What a garbage collection found and did in one registry. Every listed object is counted in exactly one of
 * {@code referenced}, {@code young}, {@code unknownAge}, {@code foreign}, {@code deleted} (objects a dry run would
 * delete, for a dry run) and {@code errors}.
 *
 * @param uri the registry's canonical URI
 * @param scanned objects listed
 * @param referenced objects some datum references (or that the Bloom filter could not rule out), kept
 * @param young unreferenced objects younger than the grace period, kept
 * @param unknownAge objects whose listing gave no time, kept
 * @param foreign objects whose key is not in the lake's content-addressed format ({@code ab/cd/<sha256>}), kept
 * @param deleted objects deleted (or, in a dry run, that would be deleted)
 * @param bytesDeleted their total size (unknown sizes count as 0)
 * @param errors candidates that could not be claimed, re-checked or deleted (kept, or in an unknown state; the next
 *     run tries again)
 * @param errorSamples the first few error messages
 * @param duration how long this registry took
 */
public record RegistryGcReport(String uri, long scanned, long referenced, long young, long unknownAge, long foreign,
        long deleted, long bytesDeleted, long errors, List<String> errorSamples, Duration duration) {
    /** Copies the list. */
    public RegistryGcReport {
        errorSamples = List.copyOf(errorSamples);
    }
}
