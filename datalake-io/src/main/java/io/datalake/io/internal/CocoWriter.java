package io.datalake.io.internal;

import io.datalake.Datalake;
import io.datalake.Datum;
import io.datalake.InvalidArgumentException;
import io.datalake.io.CocoOptions;
import io.datalake.io.UnexportableDatumException;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.bson.Document;
import org.bson.types.ObjectId;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;

import static java.util.Objects.requireNonNull;

/**
 * The COCO format: {@code annotations.json} and {@code images/<sha256>.<ext>}.
 *
 * <p>{@code annotations.json} is one JSON document: {@code info} (the source: version reference and content hash,
 * or the query), {@code licenses} (empty), {@code images} ({@code id} 1, 2, ... in order of first appearance,
 * {@code file_name} relative to {@code images/}, {@code width}, {@code height}, {@code datalake_id}),
 * {@code annotations} (the boxes: {@code id} 1, 2, ..., {@code image_id}, {@code category_id}, {@code bbox},
 * {@code area}, {@code iscrowd}, optional {@code segmentation}, {@code datalake_id}), {@code categories}
 * ({@code id} 1, 2, ... in sorted order of the label names, {@code name}, optional {@code supercategory}) and
 * {@code classifications} (image-level labels, which COCO has no place for: {@code id}, {@code image_id},
 * {@code category_id}, {@code datalake_id}; tools that do not know the key ignore it).
 *
 * <p>Bounded memory: images, boxes and classifications are streamed into temporary files of the partial folder as
 * rows arrive and concatenated into {@code annotations.json} by {@link #finish}, which is when the sorted category
 * ids are known. What grows with the export: the ids of the images and annotation datums already written (about 32
 * to 64 bytes each, {@link ObjectIdIntMap}) and one entry per distinct label.
 */
final class CocoWriter implements FormatWriter {
    static final String ANNOTATIONS_FILE = "annotations.json";
    /** Children lists read at the same time for one batch's new images ({@code childAnnotations}). */
    static final int CHILD_LOOKUP_CONCURRENCY = 8;
    /** Child datums read per {@code getData} call. */
    static final int CHILD_READ_BATCH = 1_000;

    private static final Logger LOG = LoggerFactory.getLogger(CocoWriter.class);
    private static final String IMAGES_TMP = ".coco-images.tmp";
    private static final String BOXES_TMP = ".coco-annotations.tmp";
    private static final String CLASSIFICATIONS_TMP = ".coco-classifications.tmp";

    private final Datalake lake;
    private final CocoOptions options;

    private @Nullable Workspace workspace;
    private Document source = new Document();
    private List<String> annotationColumns = List.of();
    private @Nullable BufferedWriter images;
    private @Nullable BufferedWriter boxes;
    private @Nullable BufferedWriter classifications;

    private final ObjectIdIntMap imageIds = new ObjectIdIntMap();
    private final ObjectIdIntMap annotationsSeen = new ObjectIdIntMap();
    private int lastBoxId;
    private int lastClassificationId;
    /** Label -> index of first appearance; the category ids (sorted order) are assigned in {@link #finish}. */
    private final Map<String, Integer> labels = new HashMap<>();
    private final List<@Nullable String> supercategories = new ArrayList<>();
    private long skippedNotAnnotations;
    private long childrenIgnored;
    private long sizesFromFiles;
    private final Set<String> warnedColumns = new HashSet<>();

    CocoWriter(Datalake lake, CocoOptions options) {
        this.lake = lake;
        this.options = options;
    }

    @Override
    public PayloadLayout payloadLayout() {
        return PayloadLayout.IMAGES;
    }

    @Override
    public boolean copiesPayloads(String column) {
        return column.equals(options.imageColumn());
    }

    @Override
    public String manifestFormat() {
        return "coco";
    }

    @Override
    public void open(Workspace workspace, RowSource.Opened opened) throws IOException {
        List<String> columns = opened.columns();
        if (!columns.contains(options.imageColumn())) {
            throw new InvalidArgumentException("COCO image column '" + options.imageColumn() + "' is not a column of"
                    + " the source; its columns are " + columns);
        }
        for (String c : options.annotationColumns()) {
            if (!columns.contains(c)) {
                throw new InvalidArgumentException("COCO annotation column '" + c + "' is not a column of the source;"
                        + " its columns are " + columns);
            }
        }
        annotationColumns = options.annotationColumns().isEmpty()
                ? columns.stream().filter(c -> !c.equals(options.imageColumn())).toList()
                : options.annotationColumns();
        this.workspace = workspace;
        this.source = opened.description();
        images = temp(workspace, IMAGES_TMP);
        boxes = temp(workspace, BOXES_TMP);
        classifications = temp(workspace, CLASSIFICATIONS_TMP);
    }

    private static BufferedWriter temp(Workspace workspace, String name) throws IOException {
        return Files.newBufferedWriter(workspace.dir().resolve(name), StandardCharsets.UTF_8,
                StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
    }

    @Override
    public void write(List<RowSource.NumberedRow> batch, Map<ObjectId, Datum> datums, Map<ObjectId, String> payloads)
            throws IOException {
        // New images of this batch, in order, with their COCO ids: their children are read after the rows.
        Map<ObjectId, Integer> newImages = new LinkedHashMap<>();
        for (RowSource.NumberedRow row : batch) {
            Datum image = ExportJob.datum(datums, row, options.imageColumn());
            int imageId = imageIds.get(image.id());
            if (imageId == 0) {
                imageId = writeImage(image, row, payloads);
                newImages.put(image.id(), imageId);
            }
            for (String column : annotationColumns) {
                Datum d = ExportJob.datum(datums, row, column);
                if (annotate(d, imageId)) {
                    continue;
                }
                skippedNotAnnotations++;
                if (warnedColumns.add(column)) {
                    LOG.warn("COCO export: column '{}' holds datums that are not bbox/classification annotations"
                            + " (first: {} of row {}); they are skipped and counted in the manifest", column, d.id(),
                            row.number());
                }
            }
        }
        if (options.childAnnotations() && !newImages.isEmpty()) {
            writeChildren(newImages);
        }
    }

    private int writeImage(Datum image, RowSource.NumberedRow row, Map<ObjectId, String> payloads)
            throws IOException {
        String path = payloads.get(image.id());
        if (image.registryKey() == null || path == null) {
            throw new UnexportableDatumException(image.id(), "registry_key", "datum " + image.id() + " of image"
                    + " column '" + options.imageColumn() + "' (row " + row.number() + ") has no payload: a COCO"
                    + " image must be a registry datum holding the image's bytes");
        }
        ImageSize size = ImageSize.fromMetadata(image);
        if (size == null) {
            try {
                size = ImageSize.fromFile(requireNonNull(workspace).dir().resolve(path));
                sizesFromFiles++;
            } catch (IOException e) {
                throw new UnexportableDatumException(image.id(), "metadata." + ImageSize.METADATA_KEY, "image datum "
                        + image.id() + " (row " + row.number() + ") has no size: metadata." + ImageSize.METADATA_KEY
                        + ".width/height are missing or not positive integers (" + describe(image.metadata()
                        .get(ImageSize.METADATA_KEY)) + ") and the image file's header cannot be read ("
                        + e.getMessage() + ")");
            }
        }
        int id = imageIds.size() + 1;
        imageIds.putIfAbsent(image.id(), id);
        String fileName = path.substring(PayloadLayout.IMAGES.folder().length() + 1);
        writeLine(images, ExportJob.json(new Document("id", id)
                .append("file_name", fileName)
                .append("width", size.width())
                .append("height", size.height())
                .append("datalake_id", image.id().toHexString())));
        return id;
    }

    /**
     * Writes an annotation datum for an image unless it was written before.
     *
     * @return false when the datum is not an annotation
     */
    private boolean annotate(Datum datum, int imageId) throws IOException {
        if (annotationsSeen.get(datum.id()) != 0) {
            return true;
        }
        CocoAnnotation a = CocoAnnotation.parse(datum);
        if (a == null) {
            return false;
        }
        annotationsSeen.putIfAbsent(datum.id(), 1);
        int category = category(a);
        Document rest = new Document(a.fields()).append("datalake_id", datum.id().toHexString());
        boolean box = a.kind() == CocoAnnotation.Kind.BBOX;
        int id = box ? ++lastBoxId : ++lastClassificationId;
        writeLine(box ? boxes : classifications, category + "\t{\"id\": " + id + ", \"image_id\": " + imageId
                + ", \"category_id\": \t, " + ExportJob.json(rest).substring(1));
        return true;
    }

    private int category(CocoAnnotation a) {
        Integer index = labels.get(a.label());
        if (index == null) {
            index = labels.size();
            labels.put(a.label(), index);
            supercategories.add(a.supercategory());
        } else if (supercategories.get(index) == null && a.supercategory() != null) {
            supercategories.set(index, a.supercategory());
        } else if (a.supercategory() != null && !a.supercategory().equals(supercategories.get(index))) {
            LOG.warn("COCO export: label '{}' has supercategories '{}' and '{}'; the first is kept", a.label(),
                    supercategories.get(index), a.supercategory());
        }
        return index;
    }

    /** Reads the children of new images live (two round trips per batch plus one per image's id list). */
    private void writeChildren(Map<ObjectId, Integer> newImages) throws IOException {
        List<Map.Entry<ObjectId, Integer>> wanted = new ArrayList<>();
        List<List<ObjectId>> children = Flux.fromIterable(newImages.keySet())
                .flatMapSequential(id -> lake.getDirectlyDerivedData(id).collectList(), CHILD_LOOKUP_CONCURRENCY)
                .collectList()
                .block();
        int i = 0;
        for (Integer imageId : newImages.values()) {
            for (ObjectId child : requireNonNull(children).get(i)) {
                if (annotationsSeen.get(child) == 0) {
                    wanted.add(Map.entry(child, imageId));
                }
            }
            i++;
        }
        for (int from = 0; from < wanted.size(); from += CHILD_READ_BATCH) {
            List<Map.Entry<ObjectId, Integer>> chunk = wanted.subList(from, Math.min(wanted.size(),
                    from + CHILD_READ_BATCH));
            List<Datum> read = lake.getData(chunk.stream().map(Map.Entry::getKey).toList(), false)
                    .collectList().block();
            for (int k = 0; k < chunk.size(); k++) {
                if (!annotate(requireNonNull(read).get(k), chunk.get(k).getValue())) {
                    childrenIgnored++;
                }
            }
        }
    }

    @Override
    public Document finish(Workspace ws, long rows) throws IOException {
        for (BufferedWriter w : List.of(requireNonNull(images), requireNonNull(boxes),
                requireNonNull(classifications))) {
            w.close();
        }
        // Category ids follow the sorted label names, so the same labels get the same ids in every export.
        List<Map.Entry<String, Integer>> sorted = new ArrayList<>(labels.entrySet());
        sorted.sort(Map.Entry.comparingByKey());
        int[] idOf = new int[sorted.size()];
        for (int k = 0; k < sorted.size(); k++) {
            idOf[sorted.get(k).getValue()] = k + 1;
        }
        HashedFile out = new HashedFile(ws, ANNOTATIONS_FILE);
        try {
            out.write("{\"info\": " + ExportJob.json(info()) + ",\n\"licenses\": [],\n\"images\": [");
            copy(ws.dir().resolve(IMAGES_TMP), out, null);
            out.write("],\n\"annotations\": [");
            copy(ws.dir().resolve(BOXES_TMP), out, idOf);
            out.write("],\n\"categories\": [");
            for (int k = 0; k < sorted.size(); k++) {
                Document category = new Document("id", k + 1).append("name", sorted.get(k).getKey());
                String supercategory = supercategories.get(sorted.get(k).getValue());
                if (supercategory != null) {
                    category.append("supercategory", supercategory);
                }
                out.write((k == 0 ? "\n" : ",\n") + ExportJob.json(category));
            }
            out.write(sorted.isEmpty() ? "" : "\n");
            out.write("],\n\"classifications\": [");
            copy(ws.dir().resolve(CLASSIFICATIONS_TMP), out, idOf);
            out.write("]}\n");
            out.finish();
        } catch (IOException | RuntimeException e) {
            out.closeQuietly();
            throw e;
        }
        for (String tmp : List.of(IMAGES_TMP, BOXES_TMP, CLASSIFICATIONS_TMP)) {
            Files.delete(ws.dir().resolve(tmp));
        }
        Document coco = new Document("annotations_file", ANNOTATIONS_FILE)
                .append("image_column", options.imageColumn())
                .append("annotation_columns", annotationColumns)
                .append("images", imageIds.size())
                .append("annotations", lastBoxId)
                .append("classifications", lastClassificationId)
                .append("categories", sorted.size())
                .append("skipped_not_annotations", skippedNotAnnotations)
                .append("image_sizes_read_from_files", sizesFromFiles)
                .append("child_annotations", options.childAnnotations());
        if (options.childAnnotations()) {
            coco.append("children_read_live", true)
                    .append("children_ignored", childrenIgnored)
                    .append("note", "annotations derived from each image were read from the lake at export time,"
                            + " not from the source alone: they may differ from what the source froze");
        }
        return new Document("coco", coco);
    }

    /**
     * Appends the elements of a temporary file, comma-separated, one per line; with {@code categoryIds}, each line
     * is {@code <label index>\t<head>\t<tail>} and becomes {@code <head><category id><tail>}.
     */
    private static void copy(Path tmp, HashedFile out, int @Nullable [] categoryIds) throws IOException {
        boolean first = true;
        try (BufferedReader in = Files.newBufferedReader(tmp, StandardCharsets.UTF_8)) {
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                out.write(first ? "\n" : ",\n");
                first = false;
                if (categoryIds == null) {
                    out.write(line);
                } else {
                    // JSON escapes tabs inside strings, so the first two tabs are the separators.
                    String[] parts = line.split("\t", 3);
                    out.write(parts[1]);
                    out.write(Integer.toString(categoryIds[Integer.parseInt(parts[0])]));
                    out.write(parts[2]);
                }
            }
        }
        if (!first) {
            out.write("\n");
        }
    }

    private Document info() {
        boolean version = "version".equals(source.getString("type"));
        String ref = version ? Objects.toString(source.get("ref"), "version") : "query";
        Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        Document info = new Document("description", "datalake export of " + (version ? ref : "a query"))
                .append("url", "")
                .append("version", ref)
                .append("year", now.atZone(ZoneOffset.UTC).getYear())
                .append("contributor", "datalake")
                .append("date_created", now.toString())
                .append("content_hash", version ? source.get("content_hash") : null)
                .append("datalake_source", source);
        if (options.childAnnotations()) {
            info.append("child_annotations", "read live from the lake at export time");
        }
        return info;
    }

    private static void writeLine(@Nullable BufferedWriter writer, String line) throws IOException {
        requireNonNull(writer).write(line);
        writer.write('\n');
    }

    private static String describe(@Nullable Object value) {
        String text = String.valueOf(value);
        return text.length() > 80 ? text.substring(0, 77) + "..." : text;
    }

    @Override
    public void abort() {
        for (BufferedWriter w : new BufferedWriter[] {images, boxes, classifications}) {
            if (w != null) {
                try {
                    w.close();
                } catch (IOException e) {
                    // Only after a failure: the partial folder is deleted.
                }
            }
        }
    }
}
