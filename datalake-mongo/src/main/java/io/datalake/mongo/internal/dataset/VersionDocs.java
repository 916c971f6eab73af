package io.datalake.mongo.internal.dataset;

import io.datalake.dataset.AuditReport;
import io.datalake.dataset.CheckResult;
import io.datalake.dataset.SourceInfo;
import io.datalake.dataset.VersionInfo;
import io.datalake.dataset.VersionRef;
import io.datalake.dataset.VersionState;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import org.bson.Document;
import org.bson.types.ObjectId;
import org.jspecify.annotations.Nullable;

/** Version documents to values and back. Stored documents are untrusted: wrong types read as absent. */
final class VersionDocs {
    private VersionDocs() {
    }

    static VersionInfo toInfo(Document v, List<String> tags) {
        VersionState state;
        try {
            state = VersionState.valueOf(String.valueOf(v.get(MongoDatasets.STATE)));
        } catch (IllegalArgumentException e) {
            state = VersionState.DISCARDED;
        }
        Document s = v.get("source") instanceof Document d ? d : new Document("kind", "unknown");
        VersionRef derived = null;
        if (s.get("derivedFrom") instanceof String text) {
            try {
                derived = VersionRef.parse(text);
            } catch (RuntimeException e) {
                derived = null;
            }
        }
        SourceInfo source = new SourceInfo(String.valueOf(s.get("kind")), string(s.get("query")),
                s.get("seed") instanceof Number n ? n.longValue() : null,
                s.get("datumsWanted") instanceof Number n ? n.intValue() : null, derived);
        List<String> columns = new ArrayList<>();
        if (v.get("columns") instanceof List<?> l) {
            l.forEach(c -> columns.add(String.valueOf(c)));
        }
        Document audit = v.get("audit") instanceof Document d ? d : null;
        return new VersionInfo(String.valueOf(v.get(MongoDatasets.DATASET)), v.getObjectId("_id"),
                v.get(MongoDatasets.NUMBER) instanceof Number n ? n.intValue() : null, state, columns,
                v.get("rowCount") instanceof Number n ? n.longValue() : 0L, Boolean.TRUE.equals(v.get("complete")),
                string(v.get("contentHash")), source, String.valueOf(v.get("actor", "")),
                instant(v.get(MongoDatasets.CREATED_AT), Instant.EPOCH), instantOrNull(v.get("publishedAt")),
                audit == null ? null : fromAuditDoc(audit), tags);
    }

    private static @Nullable String string(@Nullable Object o) {
        return o instanceof String s ? s : null;
    }

    private static Instant instant(@Nullable Object o, Instant otherwise) {
        return o instanceof Date d ? d.toInstant() : otherwise;
    }

    private static @Nullable Instant instantOrNull(@Nullable Object o) {
        return o instanceof Date d ? d.toInstant() : null;
    }

    static Document auditDoc(AuditReport r) {
        List<Document> checks = new ArrayList<>();
        for (CheckResult c : r.checks()) {
            checks.add(new Document("name", c.name()).append("passed", c.passed())
                    .append("rowsChecked", c.rowsChecked()).append("failures", c.failures())
                    .append("exampleRows", c.exampleRows()).append("message", c.message()));
        }
        return new Document("contentHash", r.contentHash()).append("passed", r.passed()).append("checks", checks)
                .append("startedAt", Date.from(r.startedAt())).append("finishedAt", Date.from(r.finishedAt()))
                .append("actor", r.actor());
    }

    static AuditReport fromAuditDoc(Document a) {
        List<CheckResult> checks = new ArrayList<>();
        if (a.get("checks") instanceof List<?> l) {
            for (Object o : l) {
                if (o instanceof Document c) {
                    List<Long> examples = new ArrayList<>();
                    if (c.get("exampleRows") instanceof List<?> e) {
                        e.forEach(x -> {
                            if (x instanceof Number n) {
                                examples.add(n.longValue());
                            }
                        });
                    }
                    checks.add(new CheckResult(String.valueOf(c.get("name")), Boolean.TRUE.equals(c.get("passed")),
                            c.get("rowsChecked") instanceof Number n ? n.longValue() : 0,
                            c.get("failures") instanceof Number n ? n.longValue() : 0, examples,
                            string(c.get("message"))));
                }
            }
        }
        if (!Boolean.TRUE.equals(a.get("passed")) && checks.stream().allMatch(CheckResult::passed)) {
            checks.add(new CheckResult("recorded verdict", false, 0, 0, List.of(), "the stored audit failed"));
        }
        return new AuditReport(String.valueOf(a.get("contentHash")), checks,
                instant(a.get("startedAt"), Instant.EPOCH), instant(a.get("finishedAt"), Instant.EPOCH),
                String.valueOf(a.get("actor", "")));
    }

    static String failedChecks(Document audit) {
        List<String> failed = new ArrayList<>();
        fromAuditDoc(audit).checks().forEach(c -> {
            if (!c.passed()) {
                failed.add(c.name());
            }
        });
        return String.join(", ", failed);
    }

    static ObjectId id(Document d) {
        return d.getObjectId("_id");
    }
}
