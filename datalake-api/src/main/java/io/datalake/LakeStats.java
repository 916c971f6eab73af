package io.datalake;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Figures about a whole lake, as returned by {@link Datalake#getStats()}.
 *
 * @param datums how many datums the lake holds
 * @param roots how many of them are not derived from another datum
 * @param deepestChain how many datums the longest chain from a root down through {@code derived_from} has: 0 for
 *     an empty lake, 1 when there are only roots
 * @param countsByType how many datums have each type ({@code data.type}, else {@code metadata.type}), most
 *     frequent first; datums without a type are counted in {@code untyped}
 * @param untyped how many datums have no type
 * @param registryDatums how many datums keep their payload in a registry
 * @param registryObjects how many distinct registry objects those datums point at (identical payloads are stored
 *     once and shared)
 * @param registryBytes the total size of those distinct objects, as recorded on the datums
 */
public record LakeStats(
        long datums,
        long roots,
        int deepestChain,
        Map<String, Long> countsByType,
        long untyped,
        long registryDatums,
        long registryObjects,
        long registryBytes) {

    /**
     * Copies the counts by type, keeping their order.
     *
     * @throws NullPointerException if {@code countsByType} is null
     */
    public LakeStats {
        countsByType = Collections.unmodifiableMap(new LinkedHashMap<>(
                Objects.requireNonNull(countsByType, "countsByType")));
    }
}
