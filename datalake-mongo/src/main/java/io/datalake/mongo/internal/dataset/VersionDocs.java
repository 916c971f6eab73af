package io.datalake.mongo.internal.dataset;

import io.datalake.dataset.AuditReport;
import io.datalake.dataset.CheckResult;
import io.datalake.dataset.MalformedDatasetException;
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
    /** Example rows recorded per check, at most, whatever the audit options say. */
    static final int MAX_RECORDED_EXAMPLES = 1000;
    /** Characters of a check's message recorded, at most. */
    static final int MAX_MESSAGE_CHARS = 4000;

    private VersionDocs() {
    }

    static @Nullable String truncate(@Nullable String message) {
        if (message == null || message.length() <= MAX_MESSAGE_CHARS) {
            return message;
        }
        return message.substring(0, MAX_MESSAGE_CHARS) + "... (" + message.length() + " characters)";
    }

    /**
     * Reads a version document, checking every field the library relies on.
     *
     * @param v the stored document
     * @param tags the version's tags
     * @param collection the collection's name, for the error message
     * @throws MalformedDatasetException if a field has the wrong type or an impossible value
     */
    static VersionInfo toInfo(Document v, List<String> tags, String collection) {
        if (!(v.get("_id") instanceof ObjectId id)) {
            throw new MalformedDatasetException(collection + " " + describeId(v.get("_id")),
                    "its _id is not an ObjectId");
        }
        String where = collection + " " + id.toHexString();
        if (!(v.get(MongoDatasets.DATASET) instanceof String dataset)) {
            throw new MalformedDatasetException(where, "'dataset' is not a string");
        }
        VersionState state = null;
        if (v.get(MongoDatasets.STATE) instanceof String text) {
            for (VersionState s : VersionState.values()) {
                if (s.name().equals(text)) {
                    state = s;
                }
            }
        }
        if (state == null) {
            throw new MalformedDatasetException(where, "'state' is " + v.get(MongoDatasets.STATE)
                    + ", not one of DRAFT, PUBLISHED, DISCARDED");
        }
        Object rawNumber = v.get(MongoDatasets.NUMBER);
        Integer number = null;
        if (rawNumber instanceof Integer n && n >= 1) {
            number = n;
        } else if (rawNumber != null || state == VersionState.PUBLISHED) {
            throw new MalformedDatasetException(where, "'number' is " + rawNumber + ", not a positive 32-bit integer");
        }
        Object complete = v.get("complete");
        if (complete != null && !(complete instanceof Boolean)) {
            throw new MalformedDatasetException(where, "'complete' is not a boolean");
        }
        List<String> columns = new ArrayList<>();
        Object rawColumns = v.get("columns");
        if (rawColumns instanceof List<?> l) {
            for (Object c : l) {
                if (!(c instanceof String name)) {
                    throw new MalformedDatasetException(where, "'columns' holds " + c + ", not a string");
                }
                columns.add(name);
            }
        } else if (rawColumns != null) {
            throw new MalformedDatasetException(where, "'columns' is not an array");
        }
        if (columns.size() > MongoDatasets.MAX_COLUMNS) {
            throw new MalformedDatasetException(where, "it has " + columns.size() + " columns, at most "
                    + MongoDatasets.MAX_COLUMNS + " are allowed");
        }
        Object rawCount = v.get("rowCount");
        long rowCount;
        if (rawCount instanceof Integer || rawCount instanceof Long) {
            rowCount = ((Number) rawCount).longValue();
        } else if (rawCount == null && !Boolean.TRUE.equals(complete)) {
            rowCount = 0;
        } else {
            throw new MalformedDatasetException(where, "'rowCount' is " + rawCount + ", not an integer");
        }
        if (rowCount < 0) {
            throw new MalformedDatasetException(where, "'rowCount' is negative");
        }
        Object hash = v.get("contentHash");
        if (hash != null && !(hash instanceof String)) {
            throw new MalformedDatasetException(where, "'contentHash' is not a string");
        }
        if (Boolean.TRUE.equals(complete) && (columns.isEmpty() || hash == null)) {
            throw new MalformedDatasetException(where, "it is complete but has no columns or no content hash");
        }
        Object rawAudit = v.get("audit");
        if (rawAudit != null && !(rawAudit instanceof Document)) {
            throw new MalformedDatasetException(where, "'audit' is not a document");
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
        return new VersionInfo(dataset, id, number, state, columns, rowCount, Boolean.TRUE.equals(complete),
                (String) hash, source, String.valueOf(v.get("actor", "")),
                instant(v.get(MongoDatasets.CREATED_AT), Instant.EPOCH), instantOrNull(v.get("publishedAt")),
                rawAudit == null ? null : fromAuditDoc((Document) rawAudit), tags);
    }

    /** A stored {@code _id} for a message, whatever its type. */
    static String describeId(@Nullable Object id) {
        if (id instanceof ObjectId o) {
            return o.toHexString();
        }
        if (id instanceof String text) {
            return "'" + (text.length() > 100 ? text.substring(0, 100) + "..." : text) + "'";
        }
        return String.valueOf(id);
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
        // Stored results come from user code: bounded so one check cannot exceed the 16 MB document limit.
        List<Document> checks = new ArrayList<>();
        for (CheckResult c : r.checks()) {
            checks.add(new Document("name", c.name()).append("passed", c.passed())
                    .append("rowsChecked", c.rowsChecked()).append("failures", c.failures())
                    .append("exampleRows", c.exampleRows().size() > MAX_RECORDED_EXAMPLES
                            ? c.exampleRows().subList(0, MAX_RECORDED_EXAMPLES) : c.exampleRows())
                    .append("message", truncate(c.message())));
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
