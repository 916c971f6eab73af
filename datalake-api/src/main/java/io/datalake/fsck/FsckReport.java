package io.datalake.fsck;

import java.time.Duration;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * The summary of one {@code fsck}: how many problems of each kind, the first ones in detail, and what was checked.
 *
 * @param counts the number of findings of each kind; every kind is present (zero when none was found)
 * @param details the first {@link FsckOptions#maxDetails()} findings, in the order they were found
 * @param datums stored documents of the datum collection read (readable or not)
 * @param payloads registry references checked (datums with a registry payload)
 * @param objects registry objects looked up or read
 * @param versions dataset versions (drafts and published) whose rows were checked
 * @param rows dataset rows checked
 * @param bytesVerified payload bytes read and hashed (with {@link FsckOptions#verify()})
 * @param duration how long the check took
 */
public record FsckReport(Map<FsckFinding.Kind, Long> counts, List<FsckFinding> details, long datums, long payloads,
        long objects, long versions, long rows, long bytesVerified, Duration duration) {

    /** Copies the collections; kinds missing from {@code counts} count zero. */
    public FsckReport {
        EnumMap<FsckFinding.Kind, Long> all = new EnumMap<>(FsckFinding.Kind.class);
        for (FsckFinding.Kind kind : FsckFinding.Kind.values()) {
            Long n = counts.get(kind);
            all.put(kind, n == null ? 0L : n);
        }
        counts = Collections.unmodifiableMap(all);
        details = List.copyOf(details);
    }

    /**
     * Returns the number of findings of one kind.
     *
     * @param kind the kind
     * @return how many were found
     */
    public long count(FsckFinding.Kind kind) {
        return counts.getOrDefault(kind, 0L);
    }

    /**
     * Returns the number of findings of every kind.
     *
     * @return the total
     */
    public long findings() {
        return counts.values().stream().mapToLong(Long::longValue).sum();
    }

    /**
     * Tells whether nothing was found.
     *
     * @return true when every count is zero
     */
    public boolean clean() {
        return findings() == 0;
    }

    /**
     * Tells whether more findings were found than {@link #details()} holds.
     *
     * @return true when some findings are only counted
     */
    public boolean detailsTruncated() {
        return findings() > details.size();
    }
}
