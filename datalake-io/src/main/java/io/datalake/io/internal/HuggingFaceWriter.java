package io.datalake.io.internal;

import io.datalake.Datum;
import io.datalake.InvalidArgumentException;
import io.datalake.io.ExportOptions;
import io.datalake.io.PayloadMode;
import io.datalake.io.Split;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.bson.Document;
import org.bson.types.ObjectId;
import org.jspecify.annotations.Nullable;

import static java.util.Objects.requireNonNull;

/**
 * The Hugging Face datasets layout: {@code data/<split>-00000-of-00001.parquet} per split (columns as
 * {@link ParquetTable} describes, with the payloads of an image column as the {@code image} struct
 * {@code {bytes, path}}), and a {@code README.md} dataset card whose YAML header declares the splits' files, the
 * features ({@code dtype: image} for image columns: without it {@code datasets} sees a plain struct) and the row count
 * of each split, and whose text names the version, content hash or query exported.
 *
 * <p>Image bytes are always inside the shards (as {@code push_to_hub} writes them), so the folder loads from any
 * working directory; with {@link PayloadMode#FILES} the struct's {@code path} is also the copy under
 * {@code payloads/}. A split is decided per row: one name, a field of one column's datum, or a hash of the seed and
 * the row's datum ids (stable across runs and independent of the other rows). Each split with rows has its own
 * open writer; their row-group byte caps share one budget ({@link ParquetShard#rowGroupBytes}), so memory stays
 * bounded whatever the number of splits (at most {@value #MAX_SPLITS}).
 */
final class HuggingFaceWriter implements FormatWriter {
    /** The most splits one export may have. */
    static final int MAX_SPLITS = 16;
    static final String CARD = "README.md";
    /** Split names {@code datasets} accepts ({@code ^\w+(\.\w+)*$}). */
    private static final Pattern HF_SPLIT = Pattern.compile("[A-Za-z0-9_]+(\\.[A-Za-z0-9_]+)*");

    private final ExportOptions options;
    private final Split split;
    private final ParquetTable.Options tableOptions;
    private final int writers;
    private final Map<String, ParquetShard> shards = new LinkedHashMap<>();
    private final MessageDigest hash = Digests.sha256();
    private final double[] cumulative;
    private final List<String> randomNames;
    private @Nullable Workspace workspace;
    private RowSource.@Nullable Opened source;
    private @Nullable ParquetTable table;

    /**
     * Checks the split against what {@code datasets} accepts.
     *
     * @throws InvalidArgumentException naming the value if a split name is not a Hugging Face split name
     */
    HuggingFaceWriter(ExportOptions options) {
        this.options = options;
        this.split = options.split();
        this.tableOptions = new ParquetTable.Options(options.payloadMode() == PayloadMode.EMBED, true);
        this.randomNames = new ArrayList<>(split.fractions().keySet());
        this.cumulative = new double[randomNames.size()];
        double sum = 0;
        int i = 0;
        for (double fraction : split.fractions().values()) {
            sum += fraction;
            cumulative[i++] = sum;
        }
        switch (split.kind()) {
            case SINGLE -> checkName(split.singleName(), "split name");
            case RANDOM -> randomNames.forEach(name -> checkName(name, "split name"));
            case FIELD -> {
                // Checked per row: the names are values of the data.
            }
        }
        this.writers = switch (split.kind()) {
            case SINGLE -> 1;
            case RANDOM -> randomNames.size();
            case FIELD -> MAX_SPLITS;
        };
    }

    private static String checkName(String name, String what) {
        if (!HF_SPLIT.matcher(name).matches()) {
            throw new InvalidArgumentException(what + " '" + name + "' is not a Hugging Face split name (letters,"
                    + " digits and _, with single dots between them)");
        }
        return name;
    }

    @Override
    public PayloadLayout payloadLayout() {
        return tableOptions.embed() ? PayloadLayout.STAGING : PayloadLayout.PAYLOADS;
    }

    @Override
    public String manifestFormat() {
        return "datalake-huggingface";
    }

    @Override
    public void open(Workspace ws, RowSource.Opened opened) {
        String column = split.column();
        if (column != null && !opened.columns().contains(column)) {
            throw new InvalidArgumentException("split column '" + column + "' is not a column of the export: "
                    + opened.columns());
        }
        this.workspace = ws;
        this.source = opened;
    }

    @Override
    public void write(List<RowSource.NumberedRow> batch, Map<ObjectId, Datum> datums, Map<ObjectId, String> payloads)
            throws IOException {
        Workspace ws = requireNonNull(workspace);
        if (table == null) {
            table = ParquetTable.infer(requireNonNull(source).columns(), batch, datums, tableOptions);
        }
        for (RowSource.NumberedRow row : batch) {
            String name = splitOf(row, datums);
            ParquetShard shard = shards.get(name);
            if (shard == null) {
                if (shards.size() == MAX_SPLITS) {
                    throw new InvalidArgumentException("row " + row.number() + ": split '" + name + "' would be"
                            + " split number " + (MAX_SPLITS + 1) + "; a Hugging Face export has at most "
                            + MAX_SPLITS + " splits (" + shards.keySet() + ")");
                }
                shard = newShard(name);
            }
            shard.write(new ParquetTable.RowInput(row, datums, payloads, ws.dir()));
        }
        if (tableOptions.embed()) {
            ParquetExportWriter.deleteStaged(ws, payloads);
        }
    }

    private ParquetShard newShard(String name) throws IOException {
        ParquetTable t = requireNonNull(table);
        Map<String, String> footer = ParquetExportWriter.footer(requireNonNull(source), t);
        footer.put("huggingface", ExportJob.json(new Document("info", new Document("features", features(t)))));
        ParquetShard shard = new ParquetShard(requireNonNull(workspace), shardPath(name), t, footer,
                options.rowGroupRows(), writers);
        shards.put(name, shard);
        return shard;
    }

    static String shardPath(String split) {
        return "data/" + split + "-00000-of-00001.parquet";
    }

    /** The features as {@code datasets} writes them into a Parquet schema's {@code huggingface} metadata. */
    private static Document features(ParquetTable t) {
        Document features = new Document();
        for (ParquetTable.OutColumn c : t.columns()) {
            features.append(c.name(), c.kind() == ParquetTable.Kind.IMAGE ? new Document("_type", "Image")
                    : new Document("dtype", c.kind().hfType).append("_type", "Value"));
        }
        return features;
    }

    private String splitOf(RowSource.NumberedRow row, Map<ObjectId, Datum> datums) {
        return switch (split.kind()) {
            case SINGLE -> split.singleName();
            case RANDOM -> randomNames.get(bucket(unitHash(row)));
            case FIELD -> fieldValue(row, datums);
        };
    }

    /**
     * The row's point in [0, 1): the first 8 bytes of SHA-256(seed as 8 bytes big-endian, then the 12 bytes of each
     * of the row's datum ids in column order), top 53 bits. It depends on this row alone, so a row keeps its split
     * when rows are added to or removed from the source.
     */
    double unitHash(RowSource.NumberedRow row) {
        hash.reset();
        hash.update(ByteBuffer.allocate(Long.BYTES).putLong(split.seed()).array());
        for (String column : requireNonNull(source).columns()) {
            ObjectId id = row.columns().get(column);
            if (id != null) {
                hash.update(id.toByteArray());
            }
        }
        long bits = ByteBuffer.wrap(hash.digest()).getLong();
        return (bits >>> 11) * 0x1.0p-53;
    }

    private int bucket(double u) {
        for (int i = 0; i < cumulative.length; i++) {
            if (u < cumulative[i]) {
                return i;
            }
        }
        return cumulative.length - 1;
    }

    private String fieldValue(RowSource.NumberedRow row, Map<ObjectId, Datum> datums) {
        String column = requireNonNull(split.column());
        String field = requireNonNull(split.field());
        if (row.columns().get(column) == null) {
            throw new InvalidArgumentException("row " + row.number() + ": no datum in split column '" + column + "'");
        }
        Datum d = ExportJob.datum(datums, row, column);
        String[] path = field.split("\\.");
        Object value = path[0].equals("data") ? d.data() : d.metadata();
        for (int i = 1; i < path.length && value != null; i++) {
            value = value instanceof Map<?, ?> map ? map.get(path[i]) : null;
        }
        if (value == null) {
            throw new InvalidArgumentException("row " + row.number() + ": split field " + field + " of column '"
                    + column + "' (datum " + d.id() + ") is missing");
        }
        if (!(value instanceof String name) || !HF_SPLIT.matcher(name).matches()) {
            throw new InvalidArgumentException("row " + row.number() + ": split field " + field + " of column '"
                    + column + "' (datum " + d.id() + ") is " + ParquetTable.jsonValue(value) + ", not a Hugging"
                    + " Face split name (letters, digits and _, with single dots between them)");
        }
        return name;
    }

    @Override
    public Document finish(Workspace ws, long rows) throws IOException {
        if (table == null) {
            table = ParquetTable.infer(requireNonNull(source).columns(), List.of(), Map.of(), tableOptions);
        }
        if (shards.isEmpty()) {
            // No rows: one empty shard, so the card's split has a file and the folder still loads.
            newShard(split.kind() == Split.Kind.RANDOM ? randomNames.get(0) : split.kind() == Split.Kind.SINGLE
                    ? split.singleName() : Split.DEFAULT_SPLIT);
        }
        Map<String, Long> counts = new LinkedHashMap<>();
        List<String> files = new ArrayList<>();
        for (String name : orderedSplits()) {
            ParquetShard shard = requireNonNull(shards.get(name));
            shard.finish();
            counts.put(name, shard.rows());
            files.add(shard.relative());
        }
        HashedFile card = new HashedFile(ws, CARD);
        card.write(DatasetCard.text(requireNonNull(source).description(), requireNonNull(table), counts));
        card.finish();
        Document splits = new Document();
        counts.forEach(splits::append);
        return new Document("data_files", files).append("card", CARD).append("splits", splits)
                .append("parquet_columns", requireNonNull(table).describe());
    }

    /** The fractions' order for a random split, the order of first appearance otherwise. */
    private List<String> orderedSplits() {
        List<String> ordered = new ArrayList<>();
        for (String name : randomNames) {
            if (shards.containsKey(name)) {
                ordered.add(name);
            }
        }
        for (String name : shards.keySet()) {
            if (!ordered.contains(name)) {
                ordered.add(name);
            }
        }
        return ordered;
    }

    @Override
    public void abort() {
        for (ParquetShard shard : shards.values()) {
            shard.abort();
        }
    }
}
