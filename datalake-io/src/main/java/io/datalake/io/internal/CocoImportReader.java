package io.datalake.io.internal;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.datalake.InvalidArgumentException;
import io.datalake.io.ImportFormatException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Reads and checks a COCO annotation file with Jackson's streaming parser: one entry of {@code images},
 * {@code categories} or {@code annotations} is a tree at a time, and what is kept per annotation is compact (its
 * ids, box and the rest as JSON text, turned into datum data only when its batch is written). So memory grows with
 * the number of entries and the size of their optional fields (segmentations), not with Jackson trees of the file.
 */
final class CocoImportReader {
    static final String FORMAT = "coco";
    /** Annotation fields read into dedicated slots; the others are kept as they are. */
    private static final Set<String> ANNOTATION_FIELDS = Set.of("id", "image_id", "category_id", "bbox");
    /** Optional annotation fields kept at the top of the datum's data; any other field goes to {@code extra}. */
    private static final Set<String> KNOWN_OPTIONAL = Set.of("segmentation", "area", "iscrowd", "score");
    private static final Set<String> IMAGE_FIELDS = Set.of("id", "file_name", "width", "height");

    private final Path file;
    private final Path imagesDir;
    private final String fileName;
    private Path imagesRoot;

    private final List<Image> images = new ArrayList<>();
    private final Map<Object, Image> imagesById = new HashMap<>();
    private final Map<Object, String> categories = new HashMap<>();
    private final List<Annotation> annotations = new ArrayList<>();
    private final Map<Object, Integer> annotationIds = new HashMap<>();

    private record Image(Object id, Path path, Map<String, @Nullable Object> metadata, List<Annotation> annotations) {
    }

    /** One annotation, compact: its box as numbers and the other fields as JSON text. */
    private record Annotation(int index, long line, long column, Object id, Object imageId, Object categoryId,
            Number @Nullable [] bbox, @Nullable String rest) {
    }

    CocoImportReader(Path file, Path imagesDir) {
        this.file = file;
        this.imagesDir = imagesDir;
        this.fileName = file.getFileName() == null ? file.toString() : file.getFileName().toString();
        this.imagesRoot = imagesDir;
    }

    ImportPlan read() {
        imagesRoot = ImportFiles.realFolder(imagesDir, "COCO images folder");
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
                    case "images", "categories", "annotations" -> {
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
                                default -> annotation(i, object, entry, at);
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
        linkAnnotations();
        List<ImportItem> items = new ArrayList<>(images.size());
        for (Image image : images) {
            items.add(new ImportItem(image.path(), image.metadata(), () -> annotationsOf(image)));
        }
        return new ImportPlan(FORMAT, 1, items);
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
        Map<String, @Nullable Object> source = new LinkedHashMap<>();
        source.put("format", FORMAT);
        source.put("file", fileName);
        source.put("image_id", id);
        source.put("file_name", name.textValue());
        Map<String, @Nullable Object> metadata = new LinkedHashMap<>();
        metadata.put(ImportJob.SOURCE_FIELD, source);
        metadata.put("width", width);
        metadata.put("height", height);
        Map<String, @Nullable Object> extra = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext();) {
            Map.Entry<String, JsonNode> e = it.next();
            if (!IMAGE_FIELDS.contains(e.getKey())) {
                extra.put(e.getKey(), e.getValue());
            }
        }
        if (!extra.isEmpty()) {
            // license, date_captured, coco_url, flickr_url and any other field, as given.
            ObjectNode rest = ImportJson.READER.createObjectNode();
            extra.forEach((k, v) -> rest.set(k, (JsonNode) v));
            metadata.put("coco", ImportJson.toJava(rest, file, entry, at.getLineNr(), at.getColumnNr()));
        }
        Image image = new Image(id, path, metadata, new ArrayList<>());
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

    private void annotation(int index, ObjectNode node, String entry, JsonLocation at) {
        Object id = id(node, entry, "id", at);
        Object imageId = id(node, entry, "image_id", at);
        Object categoryId = id(node, entry, "category_id", at);
        Integer before = annotationIds.putIfAbsent(id, index);
        if (before != null) {
            throw error(entry + ".id", at, "annotation id " + id + " appears twice (first in annotations[" + before
                    + "])");
        }
        Number[] bbox = null;
        JsonNode box = node.get("bbox");
        if (box != null && !box.isNull()) {
            if (!box.isArray() || box.size() != 4) {
                throw error(entry + ".bbox", at, "must be [x, y, width, height], got " + box);
            }
            bbox = new Number[4];
            for (int k = 0; k < 4; k++) {
                JsonNode v = box.get(k);
                if (!v.isNumber() || !Double.isFinite(v.doubleValue()) || v.doubleValue() < 0) {
                    throw error(entry + ".bbox", at, "must be 4 numbers >= 0 [x, y, width, height], got " + box);
                }
                bbox[k] = ImportJson.number(v);
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
        annotations.add(new Annotation(index, at.getLineNr(), at.getColumnNr(), id, imageId, categoryId, bbox,
                rest.isEmpty() ? null : rest.toString()));
    }

    /** Checks the links once every entry is read (COCO files list annotations before images too). */
    private void linkAnnotations() {
        for (Annotation a : annotations) {
            String entry = "annotations[" + a.index() + "]";
            Image image = imagesById.get(a.imageId());
            if (image == null) {
                throw new ImportFormatException(file, entry + ".image_id", a.line(), a.column(), "no image has id "
                        + a.imageId(), null);
            }
            if (!categories.containsKey(a.categoryId())) {
                throw new ImportFormatException(file, entry + ".category_id", a.line(), a.column(),
                        "no category has id " + a.categoryId(), null);
            }
            image.annotations().add(a);
        }
    }

    private List<ImportItem.Annotation> annotationsOf(Image image) {
        List<ImportItem.Annotation> out = new ArrayList<>(image.annotations().size());
        for (Annotation a : image.annotations()) {
            Map<String, @Nullable Object> data = new LinkedHashMap<>();
            data.put("type", a.bbox() != null ? "bbox" : "classification");
            data.put("label", categories.get(a.categoryId()));
            if (a.bbox() != null) {
                data.put("bbox", List.of(a.bbox()));
            }
            data.put("category_id", a.categoryId());
            if (a.rest() != null) {
                JsonNode rest;
                try {
                    rest = ImportJson.READER.readTree(a.rest());
                } catch (JsonProcessingException e) {
                    throw new IllegalStateException("annotation kept as JSON reads back", e);
                }
                String entry = "annotations[" + a.index() + "]";
                @SuppressWarnings("unchecked")
                Map<String, @Nullable Object> fields = (Map<String, @Nullable Object>) ImportJson.toJava(rest, file,
                        entry, a.line(), a.column());
                Map<String, @Nullable Object> extra = new LinkedHashMap<>();
                if (fields != null) {
                    fields.forEach((k, v) -> (KNOWN_OPTIONAL.contains(k) ? data : extra).put(k, v));
                }
                if (!extra.isEmpty()) {
                    data.put("extra", extra);
                }
            }
            Map<String, @Nullable Object> source = new LinkedHashMap<>();
            source.put("format", FORMAT);
            source.put("file", fileName);
            source.put("annotation_id", a.id());
            Map<String, @Nullable Object> metadata = new LinkedHashMap<>();
            metadata.put(ImportJob.SOURCE_FIELD, source);
            out.add(new ImportItem.Annotation(data, metadata));
        }
        return out;
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
