package io.datalake.query.engine.internal;

import com.mongodb.reactivestreams.client.FindPublisher;
import com.mongodb.reactivestreams.client.MongoCollection;
import io.datalake.query.JoinMethod;
import io.datalake.query.Query;
import io.datalake.query.QueryLevel;
import io.datalake.query.Strategy;
import io.datalake.query.engine.EngineTuning;
import io.datalake.query.engine.ServerFailures;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import io.datalake.query.engine.DatumFields;
import io.datalake.query.engine.internal.link.ChildLookup;
import io.datalake.query.engine.internal.link.Link;
import io.datalake.query.engine.internal.link.LookupOrScan;
import org.bson.BsonDocument;
import org.bson.BsonInt32;
import org.bson.types.ObjectId;
import org.jspecify.annotations.Nullable;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/**
 * One run of a planned query. Base ids stream in batches; each batch is resolved level by level, every level of a
 * batch with one lookup query or from the level's scan index. Rows are arrays of ids indexed by level. All state
 * is touched by one batch at a time ({@code concatMap}), so no locking is needed.
 */
public final class Execution {
    /** Documents per cursor batch of a scan; large batches cut round trips, the driver caps them at 16 MB. */
    private static final int SCAN_CURSOR_BATCH = 10_000;
    private static final BsonDocument ID_PROJECTION = new BsonDocument(DatumFields.ID, new BsonInt32(1));

    private final MongoCollection<Link> datums;
    private final ExecutionPlan plan;
    private final EngineTuning tuning;
    private final List<QueryLevel> levels;
    private final int[] parentLevel;
    private final String[] outputColumns;
    private final int[] outputLevels;
    private final Random random;
    private final ChildIndex[] scanned;
    private final LookupOrScan joins;
    private boolean firstBatch = true;
    private @Nullable Mono<Void> eagerScans;
    private @Nullable Disposable eagerJob;

    /**
     * Prepares a run.
     *
     * @param datums the collection of datum documents
     * @param plan the plan
     * @param tuning the engine's limits
     */
    public Execution(MongoCollection<?> datums, ExecutionPlan plan, EngineTuning tuning) {
        this.datums = ChildLookup.links(datums);
        this.plan = plan;
        this.tuning = tuning;
        Query query = plan.query();
        this.levels = query.levels();
        this.parentLevel = new int[levels.size()];
        for (QueryLevel level : levels) {
            String parent = level.derivedFrom();
            parentLevel[level.index()] = level.isBase() || parent == null ? -1 : query.levelOf(parent);
        }
        List<String> columns = query.outputColumns();
        this.outputColumns = columns.toArray(new String[0]);
        this.outputLevels = columns.stream().mapToInt(query::levelOf).toArray();
        Long seed = plan.options().seed();
        this.random = new Random(seed != null ? seed : ThreadLocalRandom.current().nextLong());
        this.scanned = new ChildIndex[levels.size()];
        this.joins = new LookupOrScan(plan.join(), plan.forced(), tuning.maxLookupBatches());
    }

    /**
     * Runs the query.
     *
     * @return the rows, in base order
     */
    public Flux<Map<String, ObjectId>> rows() {
        Flux<Map<String, ObjectId>> rows = Flux.defer(() -> {
            if (joins.scanning() && levels.size() > 1) {
                // Scans start with the base query rather than after its first batch, so the server and the
                // client work on both at once.
                Sinks.Empty<Void> ready = Sinks.empty();
                eagerScans = ready.asMono();
                eagerJob = buildScans().subscribe(null, ready::tryEmitError, ready::tryEmitEmpty);
            }
            // A scan plan reads the next base batch while resolving one; a lookup plan wants few rows and reads
            // a batch only when the previous one is resolved and more rows are still wanted.
            return baseIds()
                    .buffer(plan.baseBatch())
                    .concatMap(this::resolveBatch, joins.scanning() ? 1 : 0)
                    .concatMapIterable(batch -> batch)
                    .map(this::toRow)
                    .doFinally(signal -> cancelEagerScans());
        });
        Integer wanted = plan.options().datumsWanted();
        return wanted == null ? rows : rows.take(wanted, true);
    }

    private void cancelEagerScans() {
        Disposable job = eagerJob;
        if (job != null) {
            job.dispose();
        }
    }

    private Flux<ObjectId> baseIds() {
        QueryLevel base = levels.get(0);
        BsonDocument filter = base.filter().toBsonDocument();
        Strategy order = base.strategy();
        if (order == Strategy.RANDOM) {
            return Flux.from(datums.find(filter).projection(ID_PROJECTION).batchSize(SCAN_CURSOR_BATCH))
                    .mapNotNull(Execution::baseId)
                    .collectList()
                    .flatMapIterable(ids -> {
                        // Sorting first makes the seeded shuffle independent of storage order.
                        Collections.sort(ids);
                        Collections.shuffle(ids, random);
                        return ids;
                    })
                    .onErrorMap(e -> translate(0, e));
        }
        // A scan plan reads the whole base anyway: big cursor batches save round trips. A lookup plan wants few
        // rows, so its first batch is just what one resolution needs.
        int cursorBatch = joins.scanning() ? Math.max(plan.baseBatch(), SCAN_CURSOR_BATCH) : plan.baseBatch();
        FindPublisher<Link> find = datums.find(filter).projection(ID_PROJECTION).batchSize(cursorBatch);
        if (order == Strategy.LATEST || order == Strategy.EARLIEST) {
            int direction = order == Strategy.LATEST ? -1 : 1;
            find = find.sort(new BsonDocument(DatumFields.ADDED_AT, new BsonInt32(direction))
                    .append(DatumFields.ID, new BsonInt32(direction)));
        }
        return Flux.from(find).mapNotNull(Execution::baseId).onErrorMap(e -> translate(0, e));
    }

    private Mono<List<ObjectId[]>> resolveBatch(List<ObjectId> baseIds) {
        boolean onlyBatch = firstBatch && baseIds.size() < plan.baseBatch();
        firstBatch = false;
        List<ObjectId[]> rows = new ArrayList<>(baseIds.size());
        for (ObjectId id : baseIds) {
            ObjectId[] row = new ObjectId[levels.size()];
            row[0] = id;
            rows.add(row);
        }
        if (levels.size() == 1) {
            return Mono.just(rows);
        }
        JoinMethod join = chooseJoin(onlyBatch);
        Mono<List<ObjectId[]>> resolved = Mono.just(rows);
        if (join == JoinMethod.SCAN) {
            Mono<Void> scans = eagerScans;
            resolved = (scans != null ? scans : buildScans()).thenReturn(rows);
        }
        for (int i = 1; i < levels.size(); i++) {
            int level = i;
            resolved = resolved.flatMap(alive -> alive.isEmpty() ? Mono.just(alive) : resolveLevel(level, alive, join));
        }
        return resolved;
    }

    /** Decides the join of this batch's levels; see {@link Planner} and {@link LookupOrScan} for the rules. */
    private JoinMethod chooseJoin(boolean onlyBatch) {
        boolean wasScanning = joins.scanning();
        JoinMethod join = joins.next(onlyBatch);
        if (wasScanning && !joins.scanning()) {
            cancelEagerScans();
            eagerScans = null;
        }
        return join;
    }

    private Mono<List<ObjectId[]>> resolveLevel(int level, List<ObjectId[]> rows, JoinMethod join) {
        int parent = parentLevel[level];
        Mono<ChildIndex> index;
        if (join == JoinMethod.SCAN) {
            index = Mono.just(scanned[level]);
        } else {
            Set<ObjectId> parents = new LinkedHashSet<>();
            for (ObjectId[] row : rows) {
                parents.add(row[parent]);
            }
            index = lookup(level, new ArrayList<>(parents));
        }
        return index.map(children -> apply(level, rows, children));
    }

    private List<ObjectId[]> apply(int level, List<ObjectId[]> rows, ChildIndex children) {
        int parent = parentLevel[level];
        boolean missing = levels.get(level).strategy() == Strategy.MISSING;
        List<ObjectId[]> kept = new ArrayList<>(rows.size());
        for (ObjectId[] row : rows) {
            if (missing) {
                if (!children.has(row[parent])) {
                    kept.add(row);
                }
            } else {
                ObjectId pick = children.pick(row[parent], random);
                if (pick != null) {
                    row[level] = pick;
                    kept.add(row);
                }
            }
        }
        return kept;
    }

    private Mono<ChildIndex> lookup(int level, List<ObjectId> parents) {
        QueryLevel q = levels.get(level);
        return ChildLookup.find(datums, parents, plan.batchSize(), q.filter().toBsonDocument(),
                        find -> find.projection(ChildLookup.LINK_PROJECTION).batchSize(SCAN_CURSOR_BATCH))
                .reduce(ChildIndex.forStrategy(q.strategy()), Execution::index)
                .onErrorMap(e -> translate(level, e));
    }

    /** Builds the scan index of every derived level that lacks one, all scans running concurrently. */
    private Mono<Void> buildScans() {
        List<Mono<Void>> scans = new ArrayList<>();
        for (int i = 1; i < levels.size(); i++) {
            if (scanned[i] == null) {
                int level = i;
                QueryLevel q = levels.get(level);
                scans.add(Flux.from(datums.find(q.filter()).projection(ChildLookup.LINK_PROJECTION).batchSize(SCAN_CURSOR_BATCH))
                        .reduce(ChildIndex.forStrategy(q.strategy()), Execution::index)
                        .onErrorMap(e -> translate(level, e))
                        .doOnNext(index -> scanned[level] = index)
                        .then());
            }
        }
        return Mono.when(scans);
    }

    private static ChildIndex index(ChildIndex index, Link link) {
        // Datums without an ObjectId parent cannot be children of a picked datum.
        ObjectId id = link.id();
        ObjectId parent = link.parent();
        if (parent != null && id != null) {
            index.add(parent, id, link.addedAt());
        } else if (id == null) {
            SkippedDocuments.report(link.foreignId());
        }
        return index;
    }

    /** The id of a base datum; a foreign document whose {@code _id} is no ObjectId is skipped (and reported). */
    private static @Nullable ObjectId baseId(Link link) {
        if (link.id() == null) {
            SkippedDocuments.report(link.foreignId());
        }
        return link.id();
    }

    private Map<String, ObjectId> toRow(ObjectId[] ids) {
        Map<String, ObjectId> row = new LinkedHashMap<>(outputColumns.length * 2);
        for (int i = 0; i < outputColumns.length; i++) {
            row.put(outputColumns[i], ids[outputLevels[i]]);
        }
        return Collections.unmodifiableMap(row);
    }

    private Throwable translate(int level, Throwable e) {
        QueryLevel q = levels.get(level);
        return ServerFailures.translateQuery(level, q.column(), q.filterJson(), e);
    }
}
