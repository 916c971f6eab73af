package io.datalake.io.internal;

import io.datalake.InvalidArgumentException;
import io.datalake.io.ImportFormatException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import org.jspecify.annotations.Nullable;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.xml.sax.ErrorHandler;
import org.xml.sax.SAXException;
import org.xml.sax.SAXParseException;

/**
 * Reads and checks a Pascal VOC folder: {@code Annotations/*.xml} with images in {@code JPEGImages/} (the VOC
 * devkit layout), or XML files with their images side by side. The XML parser refuses any DOCTYPE, so no external
 * entity, DTD or XInclude is ever resolved.
 *
 * <p>Boxes keep VOC's numbers as continuous pixel coordinates, origin top-left: {@code bbox = [xmin, ymin,
 * xmax - xmin, ymax - ymin]} (so {@code xmax = x + width}), integers stay integers and fractions stay fractions.
 */
final class VocImportReader {
    static final String FORMAT = "voc";
    private static final String[] SOURCE_FIELDS = {"database", "annotation", "image", "flickrid"};
    private static final String[] OWNER_FIELDS = {"flickrid", "name"};
    private static final String[] FLAGS = {"truncated", "difficult", "occluded"};

    private final Path folder;

    VocImportReader(Path folder) {
        this.folder = folder;
    }

    ImportPlan read() {
        Path root = ImportFiles.realFolder(folder, "VOC folder");
        Path annotationsDir = root.resolve("Annotations");
        Path xmlDir;
        Path imagesRoot;
        if (Files.isDirectory(annotationsDir)) {
            xmlDir = annotationsDir;
            Path jpegs = root.resolve("JPEGImages");
            imagesRoot = Files.isDirectory(jpegs) ? ImportFiles.realFolder(jpegs, "VOC images folder") : root;
        } else {
            xmlDir = root;
            imagesRoot = root;
        }
        List<Path> xmls;
        try (Stream<Path> list = Files.list(xmlDir)) {
            xmls = list.filter(p -> p.getFileName().toString().toLowerCase(java.util.Locale.ROOT).endsWith(".xml")
                    && Files.isRegularFile(p)).sorted().collect(Collectors.toList());
        } catch (IOException e) {
            throw new InvalidArgumentException("cannot list VOC annotations in " + xmlDir + ": " + e, e);
        }
        if (xmls.isEmpty()) {
            throw new InvalidArgumentException("no VOC annotation files (*.xml) in " + xmlDir);
        }
        DocumentBuilder builder = newBuilder();
        List<ImportItem> items = new ArrayList<>(xmls.size());
        for (Path xml : xmls) {
            items.add(readFile(builder, root, imagesRoot, xml));
        }
        return new ImportPlan(FORMAT, xmls.size(), items, () -> { });
    }

    /** A DOM parser that refuses DOCTYPEs (hence XXE, DTDs and entity expansion) and never prints. */
    static DocumentBuilder newBuilder() {
        try {
            DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
            f.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
            f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            f.setFeature("http://xml.org/sax/features/external-general-entities", false);
            f.setFeature("http://xml.org/sax/features/external-parameter-entities", false);
            f.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false);
            f.setAttribute(XMLConstants.ACCESS_EXTERNAL_DTD, "");
            f.setAttribute(XMLConstants.ACCESS_EXTERNAL_SCHEMA, "");
            f.setXIncludeAware(false);
            f.setExpandEntityReferences(false);
            f.setNamespaceAware(false);
            DocumentBuilder builder = f.newDocumentBuilder();
            builder.setErrorHandler(new ErrorHandler() {
                @Override
                public void warning(SAXParseException e) {
                    // Warnings do not make a file unreadable.
                }

                @Override
                public void error(SAXParseException e) throws SAXException {
                    throw e;
                }

                @Override
                public void fatalError(SAXParseException e) throws SAXException {
                    throw e;
                }
            });
            return builder;
        } catch (ParserConfigurationException e) {
            throw new IllegalStateException("the JDK's XML parser supports secure processing", e);
        }
    }

    private ImportItem readFile(DocumentBuilder builder, Path root, Path imagesRoot, Path xml) {
        String relative = ImportFiles.relative(root, xml);
        Document doc;
        try {
            doc = builder.parse(xml.toFile());
        } catch (SAXParseException e) {
            throw new ImportFormatException(xml, null, e.getLineNumber(), e.getColumnNumber(), "not valid XML: "
                    + e.getMessage(), e);
        } catch (SAXException e) {
            throw new ImportFormatException(xml, null, -1, -1, "not valid XML: " + e.getMessage(), e);
        } catch (IOException e) {
            throw new InvalidArgumentException("cannot read VOC annotation file " + xml + ": " + e, e);
        }
        Element annotation = doc.getDocumentElement();
        if (!annotation.getTagName().equals("annotation")) {
            throw error(xml, annotation.getTagName(), "the root element of a VOC file is <annotation>");
        }
        String filename = requiredText(xml, annotation, "filename", "filename");
        Path image = ImportFiles.resolveImage(imagesRoot, filename, xml, "filename", -1, -1);
        Element size = child(annotation, "size");
        if (size == null) {
            throw error(xml, "size", "missing");
        }
        Map<String, @Nullable Object> source = new LinkedHashMap<>();
        source.put("format", FORMAT);
        source.put("file", relative);
        source.put("filename", filename);
        Map<String, @Nullable Object> metadata = new LinkedHashMap<>();
        metadata.put(ImportJob.SOURCE_FIELD, source);
        metadata.put("width", positiveInt(xml, size, "width", "size.width"));
        metadata.put("height", positiveInt(xml, size, "height", "size.height"));
        String depth = text(child(size, "depth"));
        if (depth != null) {
            metadata.put("depth", positiveInt(xml, size, "depth", "size.depth"));
        }
        Map<String, @Nullable Object> voc = new LinkedHashMap<>();
        putText(voc, "folder", annotation, "folder");
        putText(voc, "path", annotation, "path");
        String segmented = text(child(annotation, "segmented"));
        if (segmented != null) {
            voc.put("segmented", flag(xml, segmented, "segmented"));
        }
        Map<String, @Nullable Object> vocSource = texts(child(annotation, "source"), SOURCE_FIELDS);
        if (!vocSource.isEmpty()) {
            voc.put("source", vocSource);
        }
        Map<String, @Nullable Object> owner = texts(child(annotation, "owner"), OWNER_FIELDS);
        if (!owner.isEmpty()) {
            voc.put("owner", owner);
        }
        if (!voc.isEmpty()) {
            metadata.put("voc", voc);
        }
        List<ImportItem.Annotation> annotations = new ArrayList<>();
        int index = 0;
        for (Element object : children(annotation, "object")) {
            String field = "object[" + index + "]";
            Map<String, @Nullable Object> data = new LinkedHashMap<>();
            data.put("type", "bbox");
            data.put("label", requiredText(xml, object, "name", field + ".name"));
            data.put("bbox", box(xml, object, field));
            putText(data, "pose", object, "pose");
            for (String flag : FLAGS) {
                String value = text(child(object, flag));
                if (value != null) {
                    data.put(flag, flag(xml, value, field + "." + flag));
                }
            }
            List<Map<String, @Nullable Object>> parts = new ArrayList<>();
            int p = 0;
            for (Element part : children(object, "part")) {
                String partField = field + ".part[" + p++ + "]";
                Map<String, @Nullable Object> partData = new LinkedHashMap<>();
                partData.put("label", requiredText(xml, part, "name", partField + ".name"));
                partData.put("bbox", box(xml, part, partField));
                parts.add(partData);
            }
            if (!parts.isEmpty()) {
                data.put("parts", parts);
            }
            Map<String, @Nullable Object> objectSource = new LinkedHashMap<>();
            objectSource.put("format", FORMAT);
            objectSource.put("file", relative);
            objectSource.put("object_index", (long) index);
            Map<String, @Nullable Object> objectMetadata = new LinkedHashMap<>();
            objectMetadata.put(ImportJob.SOURCE_FIELD, objectSource);
            annotations.add(new ImportItem.Annotation(data, objectMetadata));
            index++;
        }
        List<ImportItem.Annotation> fixed = List.copyOf(annotations);
        return new ImportItem(image, () -> metadata, () -> fixed);
    }

    private static List<Number> box(Path xml, Element object, String field) {
        Element box = child(object, "bndbox");
        if (box == null) {
            throw error(xml, field + ".bndbox", "missing");
        }
        Number xmin = coordinate(xml, box, "xmin", field);
        Number ymin = coordinate(xml, box, "ymin", field);
        Number xmax = coordinate(xml, box, "xmax", field);
        Number ymax = coordinate(xml, box, "ymax", field);
        if (xmax.doubleValue() < xmin.doubleValue()) {
            throw error(xml, field + ".bndbox.xmax", "xmax " + xmax + " is less than xmin " + xmin);
        }
        if (ymax.doubleValue() < ymin.doubleValue()) {
            throw error(xml, field + ".bndbox.ymax", "ymax " + ymax + " is less than ymin " + ymin);
        }
        return List.of(xmin, ymin, minus(xmax, xmin), minus(ymax, ymin));
    }

    private static Number minus(Number a, Number b) {
        return a instanceof Long x && b instanceof Long y ? (Number) (x - y) : (Number) (a.doubleValue()
                - b.doubleValue());
    }

    private static Number coordinate(Path xml, Element box, String name, String field) {
        String path = field + ".bndbox." + name;
        String text = text(child(box, name));
        if (text == null) {
            throw error(xml, path, "missing");
        }
        try {
            if (text.matches("[+]?[0-9]{1,15}")) {
                return Long.parseLong(text.startsWith("+") ? text.substring(1) : text);
            }
            double v = Double.parseDouble(text);
            if (Double.isFinite(v) && v >= 0 && !text.matches(".*[a-zA-Z&&[^eE]].*")) {
                return v;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw error(xml, path, "must be a number >= 0 (pixels), got \"" + text + "\"");
    }

    private static long positiveInt(Path xml, Element parent, String name, String field) {
        String text = text(child(parent, name));
        if (text == null) {
            throw error(xml, field, "missing");
        }
        try {
            long v = text.matches("[0-9]+\\.0*") ? Long.parseLong(text.substring(0, text.indexOf('.')))
                    : Long.parseLong(text);
            if (v > 0) {
                return v;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw error(xml, field, "must be a positive integer, got \"" + text + "\"");
    }

    private static boolean flag(Path xml, String text, String field) {
        switch (text.toLowerCase(java.util.Locale.ROOT)) {
            case "0", "false" -> {
                return false;
            }
            case "1", "true" -> {
                return true;
            }
            default -> throw error(xml, field, "must be 0 or 1, got \"" + text + "\"");
        }
    }

    private static String requiredText(Path xml, Element parent, String name, String field) {
        String text = text(child(parent, name));
        if (text == null || text.isEmpty()) {
            throw error(xml, field, "missing");
        }
        return text;
    }

    private static void putText(Map<String, @Nullable Object> into, String key, Element parent, String name) {
        String text = text(child(parent, name));
        if (text != null && !text.isEmpty()) {
            into.put(key, text);
        }
    }

    private static Map<String, @Nullable Object> texts(@Nullable Element parent, String[] names) {
        Map<String, @Nullable Object> out = new LinkedHashMap<>();
        if (parent != null) {
            for (String name : names) {
                putText(out, name, parent, name);
            }
        }
        return out;
    }

    private static @Nullable Element child(Element parent, String name) {
        for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element e && e.getTagName().equals(name)) {
                return e;
            }
        }
        return null;
    }

    private static List<Element> children(Element parent, String name) {
        List<Element> out = new ArrayList<>();
        for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element e && e.getTagName().equals(name)) {
                out.add(e);
            }
        }
        return out;
    }

    private static @Nullable String text(@Nullable Element e) {
        return e == null ? null : e.getTextContent().strip();
    }

    private static ImportFormatException error(Path xml, String field, String problem) {
        return new ImportFormatException(xml, field, -1, -1, problem, null);
    }
}
