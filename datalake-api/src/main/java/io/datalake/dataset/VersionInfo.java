package io.datalake.dataset;

import java.time.Instant;
import java.util.List;
import org.bson.types.ObjectId;
import org.jspecify.annotations.Nullable;

/**
 * What is known about one version of a dataset.
 *
 * @param dataset the dataset name
 * @param id the version's id; drafts are addressed by it
 * @param number the version number, assigned at publication (1, 2, 3, ... without gaps); null for a draft or a
 *     discarded draft
 * @param state the lifecycle state
 * @param columns the column names, in order
 * @param rowCount the number of rows (of a draft: rows written so far, final once {@code complete})
 * @param complete whether all rows of the source were written; an incomplete draft was interrupted and can only be
 *     discarded (or garbage-collected)
 * @param contentHash the lowercase hex SHA-256 of the rows in manifest order (see the README for the encoding);
 *     null while the draft is incomplete
 * @param source how the version was made
 * @param actor who made it (the {@code actor} setting of the lake that created it)
 * @param createdAt when the draft was started
 * @param publishedAt when it was published; null unless published
 * @param audit the last audit report, if the draft was audited
 * @param tags the tags pointing at this version now (published versions only)
 */
public record VersionInfo(String dataset, ObjectId id, @Nullable Integer number, VersionState state,
        List<String> columns, long rowCount, boolean complete, @Nullable String contentHash, SourceInfo source,
        String actor, Instant createdAt, @Nullable Instant publishedAt, @Nullable AuditReport audit,
        List<String> tags) {
    /** Copies the lists. */
    public VersionInfo {
        columns = List.copyOf(columns);
        tags = List.copyOf(tags);
    }

    /**
     * Returns a reference to this version: {@code NAME@N} when published.
     *
     * @return the reference
     * @throws io.datalake.InvalidArgumentException if this version is not published
     */
    public VersionRef ref() {
        if (number == null) {
            throw new io.datalake.InvalidArgumentException("version " + id + " of '" + dataset
                    + "' is not published, so it has no number");
        }
        return VersionRef.of(dataset, number);
    }
}
