package io.datalake.io.internal;

import io.datalake.Datum;
import io.datalake.InvalidArgumentException;
import io.datalake.PayloadInfo;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.apache.parquet.io.api.Binary;
import org.apache.parquet.io.api.RecordConsumer;
import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName;
import org.apache.parquet.schema.Type;
import org.apache.parquet.schema.Types;
import org.bson.Document;
import org.bson.types.ObjectId;
import org.jspecify.annotations.Nullable;

/**
 * The flat Parquet schema of a Parquet or Hugging Face export, inferred from the first batch, and the writing of one
 * row into it.
 *
 * <p>Per export column {@code C}, in this order (names joined with {@value #SEP}, every column optional):
 * {@code C__id} (hex string), {@code C__added_at} (TIMESTAMP(MILLIS, UTC)), {@code C__derived_from} (hex string),
 * {@code C__payload} (relative path, or the bytes with EMBED; for a Hugging Face image column the struct
 * {@code {bytes, path}} named {@code image} instead), {@code C__content_type}, then {@code C__data} (when the sampled
 * {@code data} is not a document: one column) or {@code C__data__F} per top-level field F of {@code data}, then
 * {@code C__metadata__F} per top-level field of {@code metadata}, then {@code C__other}: a JSON object holding every
 * value that has no column of its type ({@code {"data": {...}, "metadata": {...}}}), so nothing is lost.
 *
 * <p>A field's type is the one of its sampled values (int and long: int64; ints and doubles: float64; string,
 * boolean, date: TIMESTAMP(MILLIS, UTC), bytes: binary, ObjectId/UUID/decimal: string); documents, arrays, fields
 * only ever null and fields of mixed types are JSON strings (relaxed extended JSON, as in the JSONL export).
 */
final class ParquetTable {
    /** Joins a column's name with its parts: readable in pandas, DuckDB and Spark without quoting. */
    static final String SEP = "__";
    /** More distinct top-level fields than this in the sample make the whole part one JSON column. */
    static final int MAX_FIELDS = 256;
    /** The largest payload written inside a Parquet file (EMBED, Hugging Face images): one value is in memory. */
    static final long MAX_EMBEDDED_BYTES = 64L << 20;
    /** The name of the Hugging Face image column when a source has exactly one column of images. */
    static final String IMAGE = "image";

    /** The value types of output columns. */
    enum Kind {
        STRING("string"), LONG("int64"), DOUBLE("float64"), BOOLEAN("bool"), TIMESTAMP("timestamp[ms, tz=UTC]"),
        BINARY("binary"), OBJECT_ID("string"), UUID("string"), DECIMAL("string"), JSON("string"),
        /** The Hugging Face image struct {bytes: binary, path: string}. */
        IMAGE("image");

        /** The Hugging Face {@code datasets} dtype of the column. */
        final String hfType;

        Kind(String hfType) {
            this.hfType = hfType;
        }
    }

    /** What an output column holds of its export column's datum. */
    enum Source {
        ID, ADDED_AT, DERIVED_FROM, PAYLOAD, IMAGE, CONTENT_TYPE, DATA, METADATA, OTHER;

        String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /**
     * One output column.
     *
     * @param name the Parquet column name
     * @param column the export (query) column
     * @param source the part of the datum
     * @param field for DATA and METADATA, the top-level field, or null for the whole value
     * @param kind the value type
     */
    record OutColumn(String name, String column, Source source, @Nullable String field, Kind kind) {
        Document describe() {
            return new Document("name", name).append("column", column).append("source", source.label())
                    .append("field", field).append("type", kind.hfType);
        }
    }

    /** How payloads are written, and whether image payload columns become Hugging Face image structs. */
    record Options(boolean embed, boolean images) {
    }

    /** One row to write: the row, its batch's datums and payload copies, and where the copies are. */
    record RowInput(RowSource.NumberedRow row, Map<ObjectId, Datum> datums, Map<ObjectId, String> payloads,
            Path exportDir) {
    }

    /** A top-level part (data or metadata) of one column: no column, one column for the whole value, or fields. */
    private record Part(int first, int count, boolean whole) {
    }

    private record Plan(String column, int first, int count, Part data, Part metadata) {
    }

    private final List<OutColumn> columns;
    private final List<Plan> plans;
    private final Options options;
    private final MessageType schema;

    private ParquetTable(List<OutColumn> columns, List<Plan> plans, Options options) {
        this.columns = List.copyOf(columns);
        this.plans = List.copyOf(plans);
        this.options = options;
        Types.MessageTypeBuilder builder = Types.buildMessage();
        for (OutColumn c : columns) {
            builder.addField(parquetType(c));
        }
        this.schema = builder.named("datalake_export");
    }

    /**
     * Infers the schema from a sample of rows (the first batch; may be empty).
     *
     * @param sourceColumns the export's columns, in order
     * @param sample the rows
     * @param datums every datum of the sample
     * @param options payload handling
     * @return the table
     */
    static ParquetTable infer(List<String> sourceColumns, List<RowSource.NumberedRow> sample,
            Map<ObjectId, Datum> datums, Options options) {
        List<OutColumn> out = new ArrayList<>();
        List<Plan> plans = new ArrayList<>();
        Set<String> taken = new HashSet<>();
        long imageColumns = options.images() ? sourceColumns.stream()
                .filter(c -> isImageColumn(c, sample, datums)).count() : 0;
        for (String column : sourceColumns) {
            List<Datum> sampled = new ArrayList<>();
            for (RowSource.NumberedRow row : sample) {
                ObjectId id = row.columns().get(column);
                Datum d = id == null ? null : datums.get(id);
                if (d != null) {
                    sampled.add(d);
                }
            }
            int first = out.size();
            String prefix = column + SEP;
            add(out, taken, prefix + "id", column, Source.ID, null, Kind.STRING);
            add(out, taken, prefix + "added_at", column, Source.ADDED_AT, null, Kind.TIMESTAMP);
            add(out, taken, prefix + "derived_from", column, Source.DERIVED_FROM, null, Kind.STRING);
            if (imageColumns > 0 && isImageColumn(column, sample, datums)) {
                add(out, taken, imageColumns == 1 ? IMAGE : column, column, Source.IMAGE, null, Kind.IMAGE);
            } else {
                add(out, taken, prefix + "payload", column, Source.PAYLOAD, null,
                        options.embed() ? Kind.BINARY : Kind.STRING);
            }
            add(out, taken, prefix + "content_type", column, Source.CONTENT_TYPE, null, Kind.STRING);
            List<@Nullable Object> dataValues = new ArrayList<>();
            List<@Nullable Object> metadataValues = new ArrayList<>();
            for (Datum d : sampled) {
                dataValues.add(d.data());
                metadataValues.add(d.metadata());
            }
            Part data = part(out, taken, column, prefix + "data", Source.DATA, dataValues);
            Part metadata = part(out, taken, column, prefix + "metadata", Source.METADATA, metadataValues);
            add(out, taken, prefix + "other", column, Source.OTHER, null, Kind.JSON);
            plans.add(new Plan(column, first, out.size() - first, data, metadata));
        }
        return new ParquetTable(out, plans, options);
    }

    /** Whether a column's sampled datums hold payloads, all of them with an image/* content type. */
    static boolean isImageColumn(String column, List<RowSource.NumberedRow> sample, Map<ObjectId, Datum> datums) {
        boolean any = false;
        for (RowSource.NumberedRow row : sample) {
            ObjectId id = row.columns().get(column);
            Datum d = id == null ? null : datums.get(id);
            PayloadInfo info = d == null ? null : d.payload();
            if (info != null) {
                if (!isImage(info)) {
                    return false;
                }
                any = true;
            }
        }
        return any;
    }

    private static boolean isImage(PayloadInfo info) {
        return info.contentType().trim().toLowerCase(Locale.ROOT).startsWith("image/");
    }

    private static Part part(List<OutColumn> out, Set<String> taken, String column, String prefix, Source source,
            List<@Nullable Object> values) {
        boolean anyValue = false;
        boolean anyNonDocument = false;
        @Nullable Kind whole = null;
        LinkedHashMap<String, @Nullable Kind> fields = new LinkedHashMap<>();
        for (Object v : values) {
            if (v == null) {
                continue;
            }
            if (v instanceof Map<?, ?> map) {
                for (Map.Entry<?, ?> e : map.entrySet()) {
                    String key = String.valueOf(e.getKey());
                    Kind seen = fields.get(key);
                    fields.put(key, e.getValue() == null ? seen : merge(seen, kindOf(e.getValue())));
                }
                if (!map.isEmpty()) {
                    anyValue = true;
                }
            } else {
                anyNonDocument = true;
                anyValue = true;
                whole = merge(whole, kindOf(v));
            }
        }
        int first = out.size();
        if (!anyValue) {
            return new Part(first, 0, false);
        }
        if (anyNonDocument || fields.size() > MAX_FIELDS) {
            Kind kind = !fields.isEmpty() || whole == null ? Kind.JSON : whole;
            add(out, taken, prefix, column, source, null, kind);
            return new Part(first, 1, true);
        }
        for (Map.Entry<String, @Nullable Kind> f : fields.entrySet()) {
            Kind kind = f.getValue();
            add(out, taken, prefix + SEP + f.getKey(), column, source, f.getKey(), kind == null ? Kind.JSON : kind);
        }
        return new Part(first, fields.size(), false);
    }

    private static void add(List<OutColumn> out, Set<String> taken, String wanted, String column, Source source,
            @Nullable String field, Kind kind) {
        String base = sanitize(wanted);
        String name = base;
        // DuckDB and Spark compare column names without case: two names differing only in case would clash there.
        for (int n = 2; !taken.add(name.toLowerCase(Locale.ROOT)); n++) {
            name = base + "_" + n;
        }
        out.add(new OutColumn(name, column, source, field, kind));
    }

    /** Characters Spark refuses in Parquet column names, and dots (struct access in SQL), become {@code _}. */
    static String sanitize(String name) {
        StringBuilder b = new StringBuilder(name.length());
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            b.append(c < 0x20 || " ,;{}()=.".indexOf(c) >= 0 ? '_' : c);
        }
        return b.length() == 0 ? "_" : b.toString();
    }

    static Kind kindOf(Object v) {
        if (v instanceof String) {
            return Kind.STRING;
        } else if (v instanceof Integer || v instanceof Long || v instanceof Short || v instanceof Byte) {
            return Kind.LONG;
        } else if (v instanceof Double || v instanceof Float) {
            return Kind.DOUBLE;
        } else if (v instanceof Boolean) {
            return Kind.BOOLEAN;
        } else if (v instanceof Instant || v instanceof Date) {
            return Kind.TIMESTAMP;
        } else if (v instanceof byte[]) {
            return Kind.BINARY;
        } else if (v instanceof ObjectId) {
            return Kind.OBJECT_ID;
        } else if (v instanceof UUID) {
            return Kind.UUID;
        } else if (v instanceof BigDecimal) {
            return Kind.DECIMAL;
        }
        return Kind.JSON;
    }

    private static Kind merge(@Nullable Kind seen, Kind next) {
        if (seen == null || seen == next) {
            return next;
        }
        if ((seen == Kind.LONG || seen == Kind.DOUBLE) && (next == Kind.LONG || next == Kind.DOUBLE)) {
            return Kind.DOUBLE;
        }
        return Kind.JSON;
    }

    private static Type parquetType(OutColumn c) {
        return switch (c.kind()) {
            case STRING, OBJECT_ID, UUID, DECIMAL, JSON -> Types.optional(PrimitiveTypeName.BINARY)
                    .as(LogicalTypeAnnotation.stringType()).named(c.name());
            case LONG -> Types.optional(PrimitiveTypeName.INT64).named(c.name());
            case DOUBLE -> Types.optional(PrimitiveTypeName.DOUBLE).named(c.name());
            case BOOLEAN -> Types.optional(PrimitiveTypeName.BOOLEAN).named(c.name());
            case TIMESTAMP -> Types.optional(PrimitiveTypeName.INT64)
                    .as(LogicalTypeAnnotation.timestampType(true, LogicalTypeAnnotation.TimeUnit.MILLIS))
                    .named(c.name());
            case BINARY -> Types.optional(PrimitiveTypeName.BINARY).named(c.name());
            case IMAGE -> Types.optionalGroup()
                    .addField(Types.optional(PrimitiveTypeName.BINARY).named("bytes"))
                    .addField(Types.optional(PrimitiveTypeName.BINARY).as(LogicalTypeAnnotation.stringType())
                            .named("path"))
                    .named(c.name());
        };
    }

    MessageType schema() {
        return schema;
    }

    List<OutColumn> columns() {
        return columns;
    }

    /** Column paths holding payload bytes: not dictionary-encoded (each value is large and mostly distinct). */
    List<String> bytesColumns() {
        List<String> paths = new ArrayList<>();
        for (OutColumn c : columns) {
            if (c.source() == Source.IMAGE) {
                paths.add(c.name() + ".bytes");
            } else if (c.source() == Source.PAYLOAD && c.kind() == Kind.BINARY) {
                paths.add(c.name());
            }
        }
        return paths;
    }

    /** Whether rows may hold large values (payload bytes): row-group size checks then start at the first row. */
    boolean holdsPayloadBytes() {
        return !bytesColumns().isEmpty();
    }

    /** The column list for the manifest and the footer. */
    List<Document> describe() {
        List<Document> list = new ArrayList<>(columns.size());
        for (OutColumn c : columns) {
            list.add(c.describe());
        }
        return list;
    }

    /**
     * Writes one row.
     *
     * @throws InvalidArgumentException naming the row and column if a payload cannot be written as the schema says
     *     (a non-image payload in a Hugging Face image column, a payload over {@value #MAX_EMBEDDED_BYTES} bytes to embed)
     */
    void write(RecordConsumer rc, RowInput in) throws IOException {
        rc.startMessage();
        for (Plan plan : plans) {
            ObjectId id = in.row().columns().get(plan.column());
            if (id != null) {
                writeColumn(rc, in, plan, ExportJob.datum(in.datums(), in.row(), plan.column()));
            }
        }
        rc.endMessage();
    }

    private void writeColumn(RecordConsumer rc, RowInput in, Plan plan, Datum d) throws IOException {
        Map<String, Object> otherData = new LinkedHashMap<>();
        Map<String, Object> otherMetadata = new LinkedHashMap<>();
        @Nullable Object wholeOtherData = null;
        Map<?, ?> dataMap = d.data() instanceof Map<?, ?> m && !plan.data().whole() ? m : null;
        for (int i = plan.first(); i < plan.first() + plan.count(); i++) {
            OutColumn c = columns.get(i);
            switch (c.source()) {
                case ID -> string(rc, c.name(), i, d.id().toHexString());
                case ADDED_AT -> {
                    rc.startField(c.name(), i);
                    rc.addLong(d.addedAt().toEpochMilli());
                    rc.endField(c.name(), i);
                }
                case DERIVED_FROM -> {
                    ObjectId parent = d.derivedFrom();
                    if (parent != null) {
                        string(rc, c.name(), i, parent.toHexString());
                    }
                }
                case PAYLOAD -> {
                    String rel = in.payloads().get(d.id());
                    if (rel != null) {
                        rc.startField(c.name(), i);
                        rc.addBinary(options.embed() ? Binary.fromConstantByteArray(read(in, d, c, rel))
                                : Binary.fromString(rel));
                        rc.endField(c.name(), i);
                    }
                }
                case IMAGE -> {
                    String rel = in.payloads().get(d.id());
                    PayloadInfo info = d.payload();
                    if (rel != null && info != null) {
                        if (!isImage(info)) {
                            throw new InvalidArgumentException("row " + in.row().number() + ", column "
                                    + c.column() + ": datum " + d.id() + " has a payload of type '"
                                    + info.contentType() + "', not an image, but the column was sampled as images"
                                    + " (Hugging Face image column " + c.name() + ")");
                        }
                        rc.startField(c.name(), i);
                        rc.startGroup();
                        rc.startField("bytes", 0);
                        rc.addBinary(Binary.fromConstantByteArray(read(in, d, c, rel)));
                        rc.endField("bytes", 0);
                        string(rc, "path", 1, options.embed()
                                ? rel.substring(rel.lastIndexOf('/') + 1) + PayloadLayout.IMAGES.extension(d)
                                : rel);
                        rc.endGroup();
                        rc.endField(c.name(), i);
                    }
                }
                case CONTENT_TYPE -> {
                    PayloadInfo info = d.payload();
                    if (info != null) {
                        string(rc, c.name(), i, info.contentType());
                    }
                }
                case DATA -> {
                    if (c.field() == null) {
                        Object v = d.data();
                        if (v != null && !value(rc, c, i, v)) {
                            wholeOtherData = v;
                        }
                    } else if (dataMap != null) {
                        Object v = dataMap.get(c.field());
                        if (v != null && !value(rc, c, i, v)) {
                            otherData.put(c.field(), v);
                        }
                    }
                }
                case METADATA -> {
                    if (c.field() == null) {
                        if (!d.metadata().isEmpty()) {
                            value(rc, c, i, d.metadata());
                        }
                    } else {
                        Object v = d.metadata().get(c.field());
                        if (v != null && !value(rc, c, i, v)) {
                            otherMetadata.put(c.field(), v);
                        }
                    }
                }
                case OTHER -> {
                    Document other = new Document();
                    Object data = d.data();
                    if (wholeOtherData != null) {
                        other.put("data", wholeOtherData);
                    } else if (data != null && plan.data().count() == 0) {
                        other.put("data", data);
                    } else if (dataMap != null) {
                        unknownFields(dataMap, plan.data(), otherData);
                        if (!otherData.isEmpty()) {
                            other.put("data", otherData);
                        }
                    } else if (data != null && !plan.data().whole()) {
                        // A value where the sample had documents: no field column can hold it.
                        other.put("data", data);
                    }
                    if (!plan.metadata().whole()) {
                        unknownFields(d.metadata(), plan.metadata(), otherMetadata);
                        if (!otherMetadata.isEmpty()) {
                            other.put("metadata", otherMetadata);
                        }
                    }
                    if (!other.isEmpty()) {
                        string(rc, c.name(), i, ExportJob.json(other));
                    }
                }
            }
        }
    }

    /** Adds the fields of a document that have no column of their own (first seen after the sample). */
    private void unknownFields(Map<?, ?> map, Part part, Map<String, Object> other) {
        if (map.isEmpty()) {
            return;
        }
        Set<String> known = new HashSet<>();
        for (int i = part.first(); i < part.first() + part.count(); i++) {
            known.add(String.valueOf(columns.get(i).field()));
        }
        for (Map.Entry<?, ?> e : map.entrySet()) {
            String key = String.valueOf(e.getKey());
            if (!known.contains(key) && e.getValue() != null) {
                other.put(key, e.getValue());
            }
        }
    }

    /** Writes a value into a typed column; false (nothing written) when it does not fit the column's type. */
    private static boolean value(RecordConsumer rc, OutColumn c, int index, Object v) {
        Kind kind = kindOf(v);
        if (c.kind() == Kind.JSON) {
            string(rc, c.name(), index, jsonValue(v));
            return true;
        }
        if (kind != c.kind() && !(c.kind() == Kind.DOUBLE && kind == Kind.LONG && exactDouble(v))) {
            return false;
        }
        rc.startField(c.name(), index);
        switch (c.kind()) {
            case STRING -> rc.addBinary(Binary.fromString((String) v));
            case LONG -> rc.addLong(((Number) v).longValue());
            case DOUBLE -> rc.addDouble(((Number) v).doubleValue());
            case BOOLEAN -> rc.addBoolean((Boolean) v);
            case TIMESTAMP -> rc.addLong(v instanceof Date date ? date.getTime() : ((Instant) v).toEpochMilli());
            case BINARY -> rc.addBinary(Binary.fromConstantByteArray((byte[]) v));
            case OBJECT_ID -> rc.addBinary(Binary.fromString(((ObjectId) v).toHexString()));
            case UUID, DECIMAL -> rc.addBinary(Binary.fromString(v.toString()));
            case JSON, IMAGE -> throw new IllegalStateException("not a typed value column: " + c);
        }
        rc.endField(c.name(), index);
        return true;
    }

    /** Whether an integer survives the trip through a double unchanged (|n| at most 2^53). */
    private static boolean exactDouble(Object v) {
        long n = ((Number) v).longValue();
        return Math.abs(n) <= 1L << 53;
    }

    private static void string(RecordConsumer rc, String name, int index, String value) {
        rc.startField(name, index);
        rc.addBinary(Binary.fromString(value));
        rc.endField(name, index);
    }

    /** A value as relaxed extended JSON, as in the JSONL export: a string is quoted, a date is {"$date": ...}. */
    static String jsonValue(Object value) {
        String json = ExportJob.json(new Document("v", value));
        return json.substring(json.indexOf(':') + 1, json.lastIndexOf('}')).trim();
    }

    private static byte[] read(RowInput in, Datum d, OutColumn c, String relative) throws IOException {
        Path file = in.exportDir().resolve(relative);
        long size = Files.size(file);
        if (size > MAX_EMBEDDED_BYTES) {
            throw new InvalidArgumentException("row " + in.row().number() + ", column " + c.column() + ": the payload"
                    + " of datum " + d.id() + " is " + size + " bytes, more than the " + MAX_EMBEDDED_BYTES
                    + " bytes a value inside a Parquet file may have here; export it with payload mode FILES");
        }
        return Files.readAllBytes(file);
    }
}
