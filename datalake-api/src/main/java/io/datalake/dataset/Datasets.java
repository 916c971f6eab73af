package io.datalake.dataset;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.bson.types.ObjectId;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Named, immutable, versioned tables of datum ids, with write-audit-publish. Reached through
 * {@link io.datalake.Datalake#datasets()}; every call is lazy (nothing happens until subscription), every server
 * call runs under the lake's operation time limit, and every failure is a {@link io.datalake.DatalakeException}.
 *
 * <pre>{@code
 * Datasets ds = lake.datasets();
 * VersionInfo draft = ds.createDraft("street-scenes", DatasetSource.query(query, QueryOptions.defaults())).block();
 * AuditReport report = ds.audit(draft.id(), AuditOptions.defaults(), List.of(labelled)).block();
 * VersionInfo v = ds.publish(draft.id()).block();        // v.number() == latest
 * ds.rows(VersionRef.parse("street-scenes@" + v.number())).subscribe(...);
 * }</pre>
 *
 * <p>Names (datasets and tags) are checked before anything is written ({@link InvalidDatasetNameException}).
 * Drafts are addressed by their id; published versions by {@link VersionRef}.
 */
public interface Datasets {
    /**
     * Creates a dataset, with no versions. Idempotent for the same name (the description of an existing dataset
     * is kept).
     *
     * @param name the name, matching {@link VersionRef#NAME}
     * @param description free-form text
     * @return the dataset
     * @throws InvalidDatasetNameException (signalled) if the name is not valid
     */
    Mono<DatasetInfo> create(String name, String description);

    /**
     * Starts a draft of a new version and streams the source's rows into it with bounded memory. The dataset is
     * created if it does not exist. The draft is invisible to {@code latest} and tags. If the source fails, is
     * empty or the subscription is cancelled, the draft is discarded and its rows deleted before the error is
     * signalled; if the process dies meanwhile, the draft stays incomplete ({@link VersionInfo#complete()} false),
     * can never be audited or published, and is removed by {@link #collectGarbage}.
     *
     * @param dataset the dataset name
     * @param source where the rows come from
     * @return the complete draft, with its row count and content hash
     * @throws InvalidDatasetNameException (signalled, before any write) if the name is not valid
     * @throws io.datalake.InvalidArgumentException (signalled) if rows do not all have the same columns, a column
     *     name is invalid, or a {@link DatasetSource.FromVersion} row has other columns than its base
     * @throws VersionNotFoundException (signalled) if the base version of a version source does not exist
     */
    default Mono<VersionInfo> createDraft(String dataset, DatasetSource source) {
        return createDraft(dataset, source, DatasetProgress.NONE);
    }

    /**
     * As {@link #createDraft(String, DatasetSource)}, reporting the rows written to the draft as it goes.
     *
     * @param dataset the dataset name
     * @param source where the rows come from
     * @param progress told the rows written so far, at most once per chunk of rows and once at the end
     * @return the complete draft, with its row count and content hash
     * @throws InvalidDatasetNameException (signalled, before any write) if the name is not valid
     * @throws io.datalake.InvalidArgumentException (signalled) as {@link #createDraft(String, DatasetSource)}
     * @throws VersionNotFoundException (signalled) if the base version of a version source does not exist
     * @throws io.datalake.DatalakeException (signalled) if the progress callback throws (its exception is the
     *     cause); the draft is discarded as for a failing source
     */
    Mono<VersionInfo> createDraft(String dataset, DatasetSource source, DatasetProgress progress);

    /**
     * Audits a complete draft: the built-in checks (every referenced datum exists, no duplicate rows, no empty
     * column, the payloads if asked) and then the given user checks, each over all rows. Records the report,
     * with the content hash it saw, in the draft (replacing any earlier report).
     *
     * @param draft the draft id
     * @param options optional checks and example counts
     * @param checks user checks; a check that fails or throws fails the audit
     * @return the report
     * @throws VersionNotFoundException (signalled) if there is no such draft
     * @throws ImmutableVersionException (signalled) if the version is published or discarded
     * @throws NotAuditedException (signalled) if the draft is incomplete
     */
    default Mono<AuditReport> audit(ObjectId draft, AuditOptions options, List<DatasetCheck> checks) {
        return audit(draft, options, checks, DatasetProgress.NONE);
    }

    /**
     * As {@link #audit(ObjectId, AuditOptions, List)}, reporting each check as it starts and the rows it has read.
     *
     * @param draft the draft id
     * @param options optional checks and example counts
     * @param checks user checks; a check that fails or throws fails the audit
     * @param progress told each check as it starts, then its rows read so far, at most once per chunk of rows
     * @return the report
     * @throws VersionNotFoundException (signalled) if there is no such draft
     * @throws ImmutableVersionException (signalled) if the version is published or discarded
     * @throws NotAuditedException (signalled) if the draft is incomplete
     * @throws io.datalake.DatalakeException (signalled) if the progress callback throws (its exception is the
     *     cause); no report is recorded
     */
    Mono<AuditReport> audit(ObjectId draft, AuditOptions options, List<DatasetCheck> checks,
            DatasetProgress progress);

    /**
     * Publishes an audited draft: one conditional single-document update gives it the next number and moves
     * {@code latest} to it. Exactly one of concurrent publishers of the same dataset wins.
     *
     * @param draft the draft id
     * @return the published version
     * @throws NotAuditedException (signalled) if the draft has no passing audit of exactly its content
     * @throws PublishConflictException (signalled) if another version was published since the audit, or the draft
     *     was published or discarded meanwhile
     * @throws ImmutableVersionException (signalled) if the version is already published
     * @throws VersionNotFoundException (signalled) if there is no such draft
     */
    Mono<VersionInfo> publish(ObjectId draft);

    /**
     * Discards a draft and deletes its rows.
     *
     * @param draft the draft id
     * @return completes when done
     * @throws ImmutableVersionException (signalled) if the version is published
     * @throws VersionNotFoundException (signalled) if there is no such draft
     */
    Mono<Void> discard(ObjectId draft);

    /**
     * Lists drafts (complete or not) started more than {@code olderThan} ago, of all datasets.
     *
     * @param olderThan the minimum age; zero lists every draft
     * @return the drafts, oldest first
     */
    Flux<VersionInfo> drafts(Duration olderThan);

    /**
     * Discards every draft started more than {@code olderThan} ago and deletes its rows; also deletes row chunks
     * that belong to no version (left by a crash).
     *
     * @param olderThan the minimum age of a draft to collect
     * @return the number of drafts discarded
     */
    Mono<Long> collectGarbage(Duration olderThan);

    /**
     * Resolves a reference to a published version.
     *
     * @param ref {@code NAME}, {@code NAME@latest}, {@code NAME@N} or {@code NAME@TAG}
     * @return the version
     * @throws DatasetNotFoundException (signalled) if the dataset does not exist
     * @throws VersionNotFoundException (signalled) if the number, tag or latest names no published version
     */
    Mono<VersionInfo> resolve(VersionRef ref);

    /**
     * Returns one version, draft or published, by id.
     *
     * @param id the version id
     * @return the version
     * @throws VersionNotFoundException (signalled) if there is no such version
     */
    Mono<VersionInfo> version(ObjectId id);

    /**
     * Lists the published versions of a dataset, by number ascending.
     *
     * @param dataset the name
     * @return the versions
     * @throws DatasetNotFoundException (signalled) if the dataset does not exist
     */
    Flux<VersionInfo> versions(String dataset);

    /**
     * Lists all datasets, by name.
     *
     * @return the datasets
     */
    Flux<DatasetInfo> datasets();

    /**
     * Streams the rows of a published version in manifest order, with backpressure.
     *
     * @param ref the version
     * @return the rows
     * @throws VersionNotFoundException (signalled) as {@link #resolve} does
     */
    Flux<Row> rows(VersionRef ref);

    /**
     * Streams the rows of a version by id (a draft's too, for inspection), in manifest order.
     *
     * @param id the version id
     * @return the rows
     */
    Flux<Row> rows(ObjectId id);

    /**
     * Returns one keyset page of a published version's rows.
     *
     * @param ref the version; the cursor pins the version number, so later pages read the same version even if
     *     {@code latest} moves
     * @param cursor null for the first page, else {@link RowPage#nextCursor()} of the previous page
     * @param pageSize rows per page, 1 to 10,000
     * @param expand whether to fetch the page's datums (without payloads) with batched reads
     * @return the page
     * @throws io.datalake.InvalidArgumentException (signalled) if the cursor is malformed or belongs to another
     *     dataset, or the page size is out of range
     */
    Mono<RowPage> page(VersionRef ref, @Nullable String cursor, int pageSize, boolean expand);

    /**
     * Streams the rows added and removed from version {@code a} to version {@code b}, with bounded memory.
     *
     * @param a the first version
     * @param b the second version
     * @return the differences, grouped by hash partition (order described in the README), not in manifest order
     * @throws io.datalake.InvalidArgumentException (signalled) if the versions have different columns
     */
    Flux<DiffEntry> diff(VersionRef a, VersionRef b);

    /**
     * Points a tag at a published version, creating or moving it, and records the move.
     *
     * @param dataset the dataset
     * @param tag the tag name (not {@code latest}, not a number)
     * @param version the version number
     * @return the recorded move
     * @throws InvalidDatasetNameException (signalled) if the tag is not valid
     * @throws VersionNotFoundException (signalled) if the version is not published
     */
    Mono<TagMove> tag(String dataset, String tag, int version);

    /**
     * Deletes a tag and records the move. Does nothing if the tag does not exist.
     *
     * @param dataset the dataset
     * @param tag the tag
     * @return the recorded move, empty if there was no such tag
     */
    Mono<TagMove> untag(String dataset, String tag);

    /**
     * Lists the recorded moves of a dataset's tags, oldest first.
     *
     * @param dataset the dataset
     * @return the moves
     */
    Flux<TagMove> tagHistory(String dataset);

    /**
     * Tells, for each id, whether a published version references it, in batched server calls. The future
     * delete feature refuses to delete retained datums.
     *
     * @param ids the ids
     * @return id to retained, for every id asked
     */
    Mono<Map<ObjectId, Boolean>> isRetained(List<ObjectId> ids);

    /**
     * Names, for each id, the published versions that reference it, in batched server calls (1,000 ids a query,
     * chunks of published versions only, streamed a few at a time). Drafts do not retain. A delete refuses to
     * delete retained datums and names these versions.
     *
     * @param ids the ids
     * @return each retained id mapped to its versions ({@code NAME@N}, by name then number), in the order asked;
     *     ids no published version references are absent
     */
    Mono<Map<ObjectId, List<VersionRef>>> retainedBy(List<ObjectId> ids);
}
