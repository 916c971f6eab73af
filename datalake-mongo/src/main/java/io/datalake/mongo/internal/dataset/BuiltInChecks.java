package io.datalake.mongo.internal.dataset;

import com.mongodb.client.model.Filters;
import com.mongodb.reactivestreams.client.MongoCollection;
import io.datalake.Datalake;
import io.datalake.Datum;
import io.datalake.PayloadInfo;
import io.datalake.dataset.AuditOptions;
import io.datalake.dataset.CheckResult;
import io.datalake.dataset.DatasetCheck;
import io.datalake.dataset.Row;
import io.datalake.query.engine.ServerFailures;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.bson.Document;
import org.bson.types.ObjectId;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/** The checks every audit runs first, and the optional payload check. */
final class BuiltInChecks {
    static final String EXIST = "datums exist";
    static final String UNIQUE = "no duplicate rows";
    static final String NOT_EMPTY = "no empty column";
    static final String PAYLOADS = "payloads intact";
    /** Rows whose ids are looked up in one {@code $in}. */
    static final int EXIST_BATCH_ROWS = 1000;

    private BuiltInChecks() {
    }

    static List<DatasetCheck> of(Datalake lake, MongoCollection<Document> datums, AuditOptions options,
            long rowsHint, int width, int partitionRows) {
        List<DatasetCheck> checks = new ArrayList<>(List.of(exist(datums), unique(rowsHint, width, partitionRows),
                notEmpty()));
        if (options.payloads() != AuditOptions.PayloadCheck.NONE) {
            checks.add(payloads(lake));
        }
        return checks;
    }

    private static final class Tally {
        final AtomicLong checked = new AtomicLong();
        final AtomicLong failures = new AtomicLong();
        /** The smallest failing row numbers (checks may find failures out of row order). */
        final java.util.TreeSet<Long> examples = new java.util.TreeSet<>();

        synchronized void fail(long row, AuditOptions options) {
            failures.incrementAndGet();
            examples.add(row);
            if (examples.size() > options.maxExamples()) {
                examples.pollLast();
            }
        }

        synchronized CheckResult result(String name, String what) {
            long f = failures.get();
            List<Long> sorted = new ArrayList<>(examples);
            sorted.sort(null);
            return new CheckResult(name, f == 0, checked.get(), f, sorted,
                    f == 0 ? null : f + " of " + checked.get() + " rows " + what);
        }
    }

    private static DatasetCheck check(String name, CheckBody body) {
        return new DatasetCheck() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public Mono<CheckResult> run(Flux<Row> rows, AuditOptions options) {
                return body.run(rows, options);
            }
        };
    }

    private interface CheckBody {
        Mono<CheckResult> run(Flux<Row> rows, AuditOptions options);
    }

    /** Batched {@code $in} over the distinct ids of {@value #EXIST_BATCH_ROWS} rows at a time. */
    static DatasetCheck exist(MongoCollection<Document> datums) {
        return check(EXIST, (rows, options) -> {
            Tally tally = new Tally();
            return rows.buffer(EXIST_BATCH_ROWS).concatMap(batch -> {
                Set<ObjectId> ids = new HashSet<>();
                batch.forEach(r -> ids.addAll(r.columns().values()));
                return Flux.from(datums.find(Filters.in("_id", ids)).projection(new Document("_id", 1)))
                        .onErrorMap(e -> ServerFailures.translate("audit: checking " + ids.size() + " ids exist", e))
                        .map(d -> d.getObjectId("_id")).collect(HashSet<ObjectId>::new, Set::add)
                        .doOnNext(found -> batch.forEach(r -> {
                            tally.checked.incrementAndGet();
                            if (!found.containsAll(r.columns().values())) {
                                tally.fail(r.number(), options);
                            }
                        }));
            }, 1).then(Mono.fromSupplier(() -> tally.result(EXIST, "reference a datum that does not exist")));
        });
    }

    /**
     * Equal rows land in the same partition ({@link Partitions}) in manifest order, so per partition a set of the
     * rows seen finds every repeat; memory holds one partition, not the version. A later occurrence of an earlier
     * row is the failing row.
     */
    static DatasetCheck unique(long rowsHint, int width, int partitionRows) {
        return check(UNIQUE, (rows, options) -> {
            Tally tally = new Tally();
            int partitions = Partitions.count(rowsHint, partitionRows);
            return Partitions.withTempDir("datalake-audit", dir -> Partitions.write(
                                    rows.doOnNext(r -> tally.checked.incrementAndGet()), dir, "rows", partitions)
                            .thenMany(Flux.range(0, partitions).concatMap(p -> Mono.fromRunnable(() -> {
                                Set<Partitions.Key> seen = new HashSet<>();
                                for (Partitions.Entry e : Partitions.read(dir, "rows", p, width)) {
                                    if (!seen.add(e.key())) {
                                        tally.fail(e.row(), options);
                                    }
                                }
                            }).subscribeOn(Schedulers.boundedElastic()), 1)))
                    .then(Mono.fromSupplier(() -> tally.result(UNIQUE, "repeat an earlier row")));
        });
    }

    /** A version needs rows, and every row an id in every column. */
    static DatasetCheck notEmpty() {
        return check(NOT_EMPTY, (rows, options) -> {
            Tally tally = new Tally();
            return rows.doOnNext(r -> tally.checked.incrementAndGet()).then(Mono.fromSupplier(() -> {
                CheckResult r = tally.result(NOT_EMPTY, "");
                return r.rowsChecked() > 0 ? r : new CheckResult(NOT_EMPTY, false, 0, 0, List.of(),
                        "the version has no rows, so every column is empty");
            }));
        });
    }

    /** Streams each payload of the checked rows and compares its size and SHA-256 with the datum's record. */
    static DatasetCheck payloads(Datalake lake) {
        return check(PAYLOADS, (rows, options) -> {
            Tally tally = new Tally();
            AtomicLong index = new AtomicLong();
            long stride = options.payloads() == AuditOptions.PayloadCheck.FULL ? 1
                    : Math.max(1, options.payloadSample());
            // A sampled check takes every stride-th row counting from a fixed offset, so reruns check the same rows.
            Flux<Row> checked = options.payloads() == AuditOptions.PayloadCheck.FULL ? rows
                    : rows.filter(r -> index.getAndIncrement() % stride == 0);
            return checked.concatMap(r -> lake.getData(List.copyOf(r.columns().values()), false)
                    .concatMap(d -> d.payload() == null ? Mono.just(true) : intact(lake, d))
                    .all(ok -> ok)
                    .onErrorReturn(false)
                    .doOnNext(ok -> {
                        tally.checked.incrementAndGet();
                        if (!ok) {
                            tally.fail(r.number(), options);
                        }
                    })).then(Mono.fromSupplier(() -> tally.result(PAYLOADS,
                    "have a payload that is missing or differs from its recorded size and SHA-256")));
        });
    }

    private static Mono<Boolean> intact(Datalake lake, Datum d) {
        PayloadInfo expected = d.payload();
        MessageDigest sha;
        try {
            sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            return Mono.error(e);
        }
        AtomicLong size = new AtomicLong();
        return lake.getPayload(d.id()).doOnNext((ByteBuffer b) -> {
            size.addAndGet(b.remaining());
            sha.update(b.duplicate());
        }).then(Mono.fromSupplier(() -> expected != null && size.get() == expected.size()
                && HexFormat.of().formatHex(sha.digest()).equalsIgnoreCase(expected.sha256())));
    }
}
