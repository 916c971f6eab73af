package io.datalake.gc;

import java.time.Duration;
import java.util.List;

/**
 * The outcome of one garbage collection.
 *
 * @param dryRun whether nothing was deleted on purpose
 * @param grace the grace period applied
 * @param datumsScanned registry datums read to build the filter of referenced keys
 * @param registries one report per registry collected: the default registry and every allowed registry that stored
 *     datums name
 * @param skippedRegistries registries named by stored datums that this lake may not open (not on its allow-list),
 *     secrets redacted; their objects were not looked at
 * @param duration the whole run
 */
public record GcReport(boolean dryRun, Duration grace, long datumsScanned, List<RegistryGcReport> registries,
        List<String> skippedRegistries, Duration duration) {
    /** Copies the lists. */
    public GcReport {
        registries = List.copyOf(registries);
        skippedRegistries = List.copyOf(skippedRegistries);
    }

    /**
     * Returns the objects deleted (or that a dry run would delete) over every registry.
     *
     * @return the count
     */
    public long deleted() {
        return registries.stream().mapToLong(RegistryGcReport::deleted).sum();
    }

    /**
     * Returns the bytes deleted (or that a dry run would delete) over every registry.
     *
     * @return the bytes
     */
    public long bytesDeleted() {
        return registries.stream().mapToLong(RegistryGcReport::bytesDeleted).sum();
    }

    /**
     * Returns the errors over every registry.
     *
     * @return the count; 0 for a clean run
     */
    public long errors() {
        return registries.stream().mapToLong(RegistryGcReport::errors).sum();
    }
}
