package io.datalake.io.internal;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.datalake.DatalakeException;
import io.datalake.InvalidArgumentException;
import io.datalake.io.ImportFormatException;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Reads and checks a COCO annotation file with Jackson's streaming parser: one entry of {@code images},
 * {@code categories}, {@code annotations} or {@code classifications} is a tree at a time. {@code classifications}
 * is optional and not COCO's: our COCO export writes image-level labels there ({@code {id, image_id, category_id}}),
 * since an annotation without {@code bbox} breaks COCOeval; its entries become classification datums, as an
 * annotation without {@code bbox} does. Each checked entry of either array is written as one line of compact JSON
 * to a temporary spill file; memory keeps only its offset and length and, per image, the indexes of its entries.
 * The links (image and category ids; ids unique within each array, as the export numbers each from 1) are checked
 * in a second, sequential read of the spill file, since COCO files may list annotations before images; an image's
 * entries are read back by offset when its batch is written. The spill file is deleted when the import ends.
 */
final class CocoImportReader {
    static final String FORMAT = "coco";
    /** Annotation fields read into dedicated slots of the datum's data. */
    private static final Set<String> ANNOTATION_FIELDS = Set.of("id", "image_id", "category_id", "bbox");
    /** Optional annotation fields kept at the top of the datum's data; any other field goes to {@code extra}. */
    private static final Set<String> KNOWN_OPTIONAL = Set.of("segmentation", "area", "iscrowd", "score");
    private static final Set<String> IMAGE_FIELDS = Set.of("id", "file_name", "width", "height");
    private static final int[] NONE = {};
    private static final String ANNOTATIONS = "annotations";
    private static final String CLASSIFICATIONS = "classifications";

    private final Path file;
    private final Path imagesDir;
    private final String fileName;
    private Path imagesRoot;

    private final List<Image> images = new ArrayList<>();
    private final Map<Object, Image> imagesById = new HashMap<>();
    private final Map<Object, String> categories = new HashMap<>();

    private @Nullable Path spill;
    private long spillSize;
    private long[] offsets = new long[1024];
    private int[] lengths = new int[1024];
    /** Entries of {@code annotations} and {@code classifications}, both spilled. */
    private int annotationCount;

    /** An image entry, compact: its metadata is built when its batch is written. */
    private static final class Image {
        final Object id;
        final String fileName;
        final long width;
        final long height;
        final @Nullable String extras;
        final Path path;
        final long line;
        final long column;
        int[] annotations = NONE;
        int count;

        Image(Object id, String fileName, long width, long height, @Nullable String extras, Path path, long line,
                long column) {
            this.id = id;
            this.fileName = fileName;
            this.width = width;
            this.height = height;
            this.extras = extras;
            this.path = path;
            this.line = line;
            this.column = column;
        }

        void add(int annotation) {
            if (count == annotations.length) {
                annotations = Arrays.copyOf(annotations, Math.max(4, count * 2));
            }
            annotations[count++] = annotation;
        }
    }

    /**
     * An annotation read back from the spill file.
     *
     * @param array {@code annotations} or {@code classifications}: the array the entry came from
     */
    private record Spilled(String array, int index, long line, long column, ObjectNode node) {
        String entry() {
            return array + "[" + index + "]";
        }

        boolean classification() {
            return array.equals(CLASSIFICATIONS);
        }
    }

    CocoImportReader(Path file, Path imagesDir) {
        this.file = file;
        this.imagesDir = imagesDir;
        this.fileName = file.getFileName() == null ? file.toString() : file.getFileName().toString();
        this.imagesRoot = imagesDir;
    }

    ImportPlan read() {
        imagesRoot = ImportFiles.realFolder(imagesDir, "COCO images folder");
        if (!Files.isRegularFile(file)) {
            throw new InvalidArgumentException("COCO annotation file not found: " + file);
        }
        try {
            spill = Files.createTempFile("datalake-coco-import-", ".jsonl");
            try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(spill), 1 << 16)) {
                parse(out);
            }
            link();
        } catch (IOException e) {
            deleteSpill();
            throw spillFailure(e);
        } catch (RuntimeException | Error e) {
            deleteSpill();
            throw e;
        }
        List<ImportItem> items = new ArrayList<>(images.size());
        for (Image image : images) {
            items.add(new ImportItem(image.path, () -> metadataOf(image), () -> annotationsOf(image)));
        }
        return new ImportPlan(FORMAT, 1, items, this::deleteSpill);
    }

    private void deleteSpill() {
        Path p = spill;
        if (p != null) {
            try {
                Files.deleteIfExists(p);
            } catch (IOException e) {
                // A temporary file left behind: the OS temp cleaner removes it.
            }
        }
    }

    private DatalakeException spillFailure(IOException e) {
        return new DatalakeException("cannot use the temporary file of the COCO import of " + file + ": " + e, e);
    }

    private void parse(OutputStream out) {
        boolean sawImages = false;
        try (JsonParser p = ImportJson.READER.createParser(file.toFile())) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw error(null, p.currentTokenLocation(), "a COCO file is a JSON object with images, categories"
                        + " and annotations");
            }
            for (JsonToken t = p.nextToken(); t == JsonToken.FIELD_NAME; t = p.nextToken()) {
                String name = p.currentName();
                JsonToken value = p.nextToken();
                switch (name) {
                    case "images", "categories", ANNOTATIONS, CLASSIFICATIONS -> {
                        if (value != JsonToken.START_ARRAY) {
                            throw error(name, p.currentTokenLocation(), "must be an array");
                        }
                        sawImages |= name.equals("images");
                        int i = 0;
                        while (p.nextToken() != JsonToken.END_ARRAY) {
                            JsonLocation at = p.currentTokenLocation();
                            JsonNode node = p.readValueAsTree();
                            String entry = name + "[" + i + "]";
                            if (!(node instanceof ObjectNode object)) {
                                throw error(entry, at, "must be an object");
                            }
                            switch (name) {
                                case "images" -> image(object, entry, at);
                                case "categories" -> category(object, entry, at);
                                default -> annotation(out, name, i, object, entry, at);
                            }
                            i++;
                        }
                    }
                    default -> p.skipChildren();
                }
            }
            if (p.nextToken() != null) {
                throw error(null, p.currentTokenLocation(), "content after the top-level object");
            }
        } catch (JsonProcessingException e) {
            JsonLocation at = e.getLocation();
            throw new ImportFormatException(file, null, at == null ? -1 : at.getLineNr(),
                    at == null ? -1 : at.getColumnNr(), "not valid JSON: " + e.getOriginalMessage(), e);
        } catch (NoSuchFileException e) {
            throw new InvalidArgumentException("COCO annotation file not found: " + file, e);
        } catch (IOException e) {
            throw new InvalidArgumentException("cannot read COCO annotation file " + file + ": " + e, e);
        }
        if (!sawImages) {
            throw new ImportFormatException(file, "images", -1, -1, "missing: a COCO file lists its images", null);
        }
    }

    private void image(ObjectNode node, String entry, JsonLocation at) {
        Object id = id(node, entry, "id", at);
        JsonNode name = node.get("file_name");
        if (name == null || !name.isTextual()) {
            throw error(entry + ".file_name", at, name == null ? "missing" : "must be a string, got " + name);
        }
        long width = positive(node, entry, "width", at);
        long height = positive(node, entry, "height", at);
        if (imagesById.containsKey(id)) {
            throw error(entry + ".id", at, "image id " + id + " appears twice");
        }
        Path path = ImportFiles.resolveImage(imagesRoot, name.textValue(), file, entry + ".file_name",
                at.getLineNr(), at.getColumnNr());
        ObjectNode rest = node.deepCopy();
        rest.remove(IMAGE_FIELDS);
        // license, date_captured, coco_url, flickr_url and any other field, kept as given; checked now.
        ImportJson.toJava(rest, file, entry, at.getLineNr(), at.getColumnNr());
        Image image = new Image(id, name.textValue(), width, height, rest.isEmpty() ? null : rest.toString(), path,
                at.getLineNr(), at.getColumnNr());
        images.add(image);
        imagesById.put(id, image);
    }

    private void category(ObjectNode node, String entry, JsonLocation at) {
        Object id = id(node, entry, "id", at);
        JsonNode name = node.get("name");
        if (name == null || !name.isTextual() || name.textValue().isBlank()) {
            throw error(entry + ".name", at, name == null ? "missing" : "must be a non-empty string, got " + name);
        }
        if (ImportJson.hasLoneSurrogate(name.textValue())) {
            throw error(entry + ".name", at, "string holds a lone UTF-16 surrogate");
        }
        if (categories.putIfAbsent(id, name.textValue()) != null) {
            throw error(entry + ".id", at, "category id " + id + " appears twice");
        }
    }

    private void annotation(OutputStream out, String array, int index, ObjectNode node, String entry,
            JsonLocation at) {
        id(node, entry, "id", at);
        id(node, entry, "image_id", at);
        id(node, entry, "category_id", at);
        JsonNode box = node.get("bbox");
        if (array.equals(CLASSIFICATIONS) && box != null && !box.isNull()) {
            // An image-level label with a box is ambiguous; a box belongs in annotations.
            throw error(entry + ".bbox", at, "an image-level label has no bbox (boxes go in annotations), got "
                    + box);
        }
        if (box != null && !box.isNull()) {
            if (!box.isArray() || box.size() != 4) {
                throw error(entry + ".bbox", at, "must be [x, y, width, height], got " + box);
            }
            for (int k = 0; k < 4; k++) {
                JsonNode v = box.get(k);
                if (!v.isNumber() || !Double.isFinite(v.doubleValue()) || v.doubleValue() < 0) {
                    throw error(entry + ".bbox", at, "must be 4 numbers >= 0 [x, y, width, height], got " + box);
                }
            }
        }
        JsonNode area = node.get("area");
        if (area != null && !area.isNull() && (!area.isNumber() || area.doubleValue() < 0)) {
            throw error(entry + ".area", at, "must be a number >= 0, got " + area);
        }
        JsonNode crowd = node.get("iscrowd");
        if (crowd != null && !crowd.isNull() && !(crowd.isBoolean() || crowd.isIntegralNumber()
                && (crowd.longValue() == 0 || crowd.longValue() == 1))) {
            throw error(entry + ".iscrowd", at, "must be 0 or 1, got " + crowd);
        }
        JsonNode score = node.get("score");
        if (score != null && !score.isNull() && !score.isNumber()) {
            throw error(entry + ".score", at, "must be a number, got " + score);
        }
        JsonNode segmentation = node.get("segmentation");
        if (segmentation != null && !segmentation.isNull() && !segmentation.isArray() && !segmentation.isObject()) {
            throw error(entry + ".segmentation", at, "must be polygons (an array) or RLE (an object), got "
                    + segmentation);
        }
        ObjectNode rest = node.deepCopy();
        rest.remove(ANNOTATION_FIELDS);
        // Checked now, so that a value the lake would refuse fails the import before anything is written.
        ImportJson.toJava(rest, file, entry, at.getLineNr(), at.getColumnNr());
        // Compact JSON escapes every control character, so a record never holds a raw tab or newline.
        byte[] record = (array + "\t" + index + "\t" + at.getLineNr() + "\t" + at.getColumnNr() + "\t" + node + "\n")
                .getBytes(StandardCharsets.UTF_8);
        if (annotationCount == offsets.length) {
            offsets = Arrays.copyOf(offsets, annotationCount * 2);
            lengths = Arrays.copyOf(lengths, annotationCount * 2);
        }
        offsets[annotationCount] = spillSize;
        lengths[annotationCount] = record.length;
        annotationCount++;
        try {
            out.write(record);
        } catch (IOException e) {
            throw spillFailure(e);
        }
        spillSize += record.length;
    }

    /**
     * Checks every spilled entry's links and groups the entries by image, in one sequential read. Ids are unique
     * within each array: the export numbers annotations and classifications each from 1.
     */
    private void link() throws IOException {
        // Annotations' numeric ids fill the array from the front, classifications' from the back.
        long[] numericIds = new long[annotationCount];
        int numericAnnotations = 0;
        int numericClassifications = 0;
        Map<String, Integer> textIds = new HashMap<>();
        Map<String, Integer> textClassificationIds = new HashMap<>();
        Path p = requireSpill();
        try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(p), 1 << 16))) {
            for (int i = 0; i < annotationCount; i++) {
                byte[] bytes = new byte[lengths[i]];
                in.readFully(bytes);
                Spilled a = parseRecord(bytes);
                String entry = a.entry();
                Object id = idOf(a.node().get("id"));
                Object imageId = idOf(a.node().get("image_id"));
                Object categoryId = idOf(a.node().get("category_id"));
                Image image = imagesById.get(imageId);
                if (image == null) {
                    throw new ImportFormatException(file, entry + ".image_id", a.line(), a.column(),
                            "no image has id " + imageId, null);
                }
                if (!categories.containsKey(categoryId)) {
                    throw new ImportFormatException(file, entry + ".category_id", a.line(), a.column(),
                            "no category has id " + categoryId, null);
                }
                if (id instanceof Long n) {
                    if (a.classification()) {
                        numericIds[annotationCount - ++numericClassifications] = n;
                    } else {
                        numericIds[numericAnnotations++] = n;
                    }
                } else {
                    Integer before = (a.classification() ? textClassificationIds : textIds)
                            .putIfAbsent((String) id, a.index());
                    if (before != null) {
                        throw duplicate(a, id, before);
                    }
                }
                image.add(i);
            }
        }
        // Numeric ids are checked sorted, in primitive arrays: no boxed id per annotation stays in memory.
        checkUnique(numericIds, 0, numericAnnotations, ANNOTATIONS);
        checkUnique(numericIds, annotationCount - numericClassifications, annotationCount, CLASSIFICATIONS);
    }

    private void checkUnique(long[] ids, int from, int to, String array) throws IOException {
        Arrays.sort(ids, from, to);
        for (int k = from + 1; k < to; k++) {
            if (ids[k] == ids[k - 1]) {
                reportDuplicate(array, ids[k]);
            }
        }
    }

    private void reportDuplicate(String array, long id) throws IOException {
        int first = -1;
        try (FileChannel channel = FileChannel.open(requireSpill(), StandardOpenOption.READ)) {
            for (int i = 0; i < annotationCount; i++) {
                Spilled a = readRecord(channel, i);
                if (a.array().equals(array) && Long.valueOf(id).equals(idOf(a.node().get("id")))) {
                    if (first >= 0) {
                        throw duplicate(a, id, first);
                    }
                    first = a.index();
                }
            }
        }
        throw new IllegalStateException(array + " id " + id + " was counted twice but found once");
    }

    private ImportFormatException duplicate(Spilled a, Object id, int first) {
        String what = a.classification() ? "classification" : "annotation";
        return new ImportFormatException(file, a.entry() + ".id", a.line(), a.column(),
                what + " id " + id + " appears twice (first in " + a.array() + "[" + first + "])", null);
    }

    private Map<String, @Nullable Object> metadataOf(Image image) {
        Map<String, @Nullable Object> source = new LinkedHashMap<>();
        source.put("format", FORMAT);
        source.put("file", fileName);
        source.put("image_id", image.id);
        source.put("file_name", image.fileName);
        Map<String, @Nullable Object> metadata = new LinkedHashMap<>();
        metadata.put(ImportJob.SOURCE_FIELD, source);
        metadata.put("width", image.width);
        metadata.put("height", image.height);
        if (image.extras != null) {
            metadata.put("coco", ImportJson.toJava(readJson(image.extras), file, "images", image.line,
                    image.column));
        }
        return metadata;
    }

    private List<ImportItem.Annotation> annotationsOf(Image image) {
        List<ImportItem.Annotation> out = new ArrayList<>(image.count);
        if (image.count == 0) {
            return out;
        }
        try (FileChannel channel = FileChannel.open(requireSpill(), StandardOpenOption.READ)) {
            for (int k = 0; k < image.count; k++) {
                out.add(annotation(readRecord(channel, image.annotations[k])));
            }
        } catch (IOException e) {
            throw spillFailure(e);
        }
        return out;
    }

    private ImportItem.Annotation annotation(Spilled a) {
        ObjectNode node = a.node();
        String entry = a.entry();
        Object categoryId = idOf(node.get("category_id"));
        JsonNode box = node.get("bbox");
        boolean hasBox = box != null && !box.isNull();
        Map<String, @Nullable Object> data = new LinkedHashMap<>();
        data.put("type", hasBox ? "bbox" : "classification");
        data.put("label", categories.get(categoryId));
        if (hasBox) {
            List<Number> bbox = new ArrayList<>(4);
            box.forEach(v -> bbox.add(ImportJson.number(v)));
            data.put("bbox", bbox);
        }
        data.put("category_id", categoryId);
        ObjectNode rest = node.deepCopy();
        rest.remove(ANNOTATION_FIELDS);
        Map<String, @Nullable Object> extra = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = rest.fields(); it.hasNext();) {
            Map.Entry<String, JsonNode> e = it.next();
            Object value = ImportJson.toJava(e.getValue(), file, entry + "." + e.getKey(), a.line(), a.column());
            (KNOWN_OPTIONAL.contains(e.getKey()) ? data : extra).put(e.getKey(), value);
        }
        if (!extra.isEmpty()) {
            data.put("extra", extra);
        }
        Map<String, @Nullable Object> source = new LinkedHashMap<>();
        source.put("format", FORMAT);
        source.put("file", fileName);
        source.put(a.classification() ? "classification_id" : "annotation_id", idOf(node.get("id")));
        Map<String, @Nullable Object> metadata = new LinkedHashMap<>();
        metadata.put(ImportJob.SOURCE_FIELD, source);
        return new ImportItem.Annotation(data, metadata);
    }

    private Path requireSpill() {
        Path p = spill;
        if (p == null) {
            throw new IllegalStateException("the spill file is made before annotations are read");
        }
        return p;
    }

    private Spilled readRecord(FileChannel channel, int i) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(lengths[i]);
        while (buffer.hasRemaining()) {
            if (channel.read(buffer, offsets[i] + buffer.position()) < 0) {
                throw new IOException("spill file ends early");
            }
        }
        return parseRecord(buffer.array());
    }

    private static Spilled parseRecord(byte[] bytes) {
        String text = new String(bytes, StandardCharsets.UTF_8);
        int k = text.indexOf('\t');
        int a = text.indexOf('\t', k + 1);
        int b = text.indexOf('\t', a + 1);
        int c = text.indexOf('\t', b + 1);
        JsonNode node = readJson(text.substring(c + 1));
        String array = text.substring(0, k).equals(CLASSIFICATIONS) ? CLASSIFICATIONS : ANNOTATIONS;
        return new Spilled(array, Integer.parseInt(text.substring(k + 1, a)), Long.parseLong(text.substring(a + 1, b)),
                Long.parseLong(text.substring(b + 1, c)), (ObjectNode) node);
    }

    private static JsonNode readJson(String json) {
        try {
            return ImportJson.READER.readTree(json);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException("JSON written by the import reads back", e);
        }
    }

    /** An id already checked by {@link #id}: a Long or a String. */
    private static Object idOf(JsonNode v) {
        return v.isIntegralNumber() ? (Object) v.longValue() : v.textValue();
    }

    /** An id: an integer (COCO's type) or a non-empty string (some tools write those). */
    private Object id(ObjectNode node, String entry, String field, JsonLocation at) {
        JsonNode v = node.get(field);
        if (v == null) {
            throw error(entry + "." + field, at, "missing");
        }
        if (v.isIntegralNumber() && v.canConvertToLong()) {
            return v.longValue();
        }
        if (v.isTextual() && !v.textValue().isEmpty() && !ImportJson.hasLoneSurrogate(v.textValue())) {
            return v.textValue();
        }
        throw error(entry + "." + field, at, "must be an integer id, got " + v);
    }

    private long positive(ObjectNode node, String entry, String field, JsonLocation at) {
        JsonNode v = node.get(field);
        if (v == null) {
            throw error(entry + "." + field, at, "missing");
        }
        if (!v.isIntegralNumber() || !v.canConvertToLong() || v.longValue() <= 0) {
            throw error(entry + "." + field, at, "must be a positive integer (pixels), got " + v);
        }
        return v.longValue();
    }

    private ImportFormatException error(@Nullable String field, @Nullable JsonLocation at, String problem) {
        return new ImportFormatException(file, field, at == null ? -1 : at.getLineNr(),
                at == null ? -1 : at.getColumnNr(), problem, null);
    }
}
