package io.datalake.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.datalake.Datalake;
import io.datalake.Datum;
import io.datalake.InvalidArgumentException;
import io.datalake.RegistrySettings;
import io.datalake.dataset.AuditOptions;
import io.datalake.dataset.DatasetSource;
import io.datalake.dataset.Row;
import io.datalake.dataset.VersionInfo;
import io.datalake.dataset.VersionRef;
import io.datalake.mongo.TestLakes;
import io.datalake.query.Query;
import io.datalake.query.QueryOptions;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.bson.Document;
import org.bson.types.ObjectId;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.publisher.Flux;

/**
 * COCO export of an embedded lake's versions and query rows: {@code annotations.json} structure, ids, categories,
 * boxes, image files and sizes, child annotations, bad datums, and a check with pycocotools where it is installed.
 */
class EmbeddedCocoExportTest {
    private static final byte[] PNG_A = png(40, 30, Color.RED);
    private static final byte[] PNG_B = png(20, 10, Color.BLUE);

    @TempDir
    Path temp;
    private Datalake lake;
    private String registry;
    private Query query;
    /**
     * Image A has metadata.image_info; B's has no size and C's an invalid one (both sized from their headers); C has
     * A's bytes.
     */
    private Datum imageA;
    private Datum imageB;
    private Datum imageC;
    private Datum boxDog;
    private Datum boxCat;
    private Datum boxCatB;
    private Datum boxBird;
    private Datum indoor;

    @BeforeEach
    void openLake() {
        registry = temp.resolve("reg").toString();
        lake = TestLakes.newLake(s -> s.registry(RegistrySettings.builder().allow(registry).build()));
        query = Query.builder()
                .base("image", new Document("metadata.kind", "image"))
                .derived("box", "image", new Document("data.type", "bbox"))
                .build();
    }

    @AfterEach
    void closeLake() {
        lake.close();
    }

    private void addScenes() {
        imageA = lake.addDatum(PNG_A, Map.of("kind", "image", "name", "a",
                "image_info", Map.of("format", "png", "width", 40, "height", 30)), registry, null).block();
        // Another client's image_info without a size (the store keeps a caller's image_info as given).
        imageB = lake.addDatum(PNG_B, Map.of("kind", "image", "name", "b", "image_info", Map.of("format", "png")),
                registry, null).block();
        imageC = lake.addDatum(PNG_A, Map.of("kind", "image", "name", "c",
                "image_info", Map.of("width", -5, "height", "30")), registry, null).block();
        boxDog = box(imageA, "dog", List.of(1, 2, 10, 5), Map.of());
        // Added after the dog: the query's latest box of A.
        boxCat = box(imageA, "cat", List.of(0.5, 0, 3.5, 4), Map.of("supercategory", "animal"));
        boxCatB = box(imageB, "cat", List.of(2, 2, 5, 5), Map.of("area", 20.5, "iscrowd", 0));
        boxBird = box(imageC, "bird", List.of(0, 0, 1, 1), Map.of());
        indoor = lake.addDatum(Map.of("type", "classification", "label", "indoor"), Map.of("kind", "label"), null,
                imageA.id()).block();
        // A child that is not an annotation: ignored by child annotations.
        lake.addDatum(Map.of("caption", "a red square"), Map.of("kind", "caption"), null, imageA.id()).block();
    }

    private Datum box(Datum image, String label, List<Number> bbox, Map<String, Object> extra) {
        Map<String, Object> data = new LinkedHashMap<>(Map.of("type", "bbox", "label", label, "bbox", bbox));
        data.putAll(extra);
        return lake.addDatum(data, Map.of("kind", "box"), null, image.id()).block();
    }

    /**
     * v1 = the query (one row per image, its latest box); v2 = v1 plus (A, dog) and (C, cat): image A in two rows,
     * box "cat" of A in two rows (a version has no duplicate rows, so the second pairs it with another image).
     */
    private VersionInfo publishWithRepeats() {
        addScenes();
        VersionInfo v1 = publish(DatasetSource.query(query, QueryOptions.defaults()));
        List<Map<String, ObjectId>> added = List.of(
                Map.of("image", imageA.id(), "box", boxDog.id()),
                Map.of("image", imageC.id(), "box", boxCat.id()));
        return publish(DatasetSource.fromVersion(v1.ref(), Flux.fromIterable(added), Flux.empty()));
    }

    private VersionInfo publish(DatasetSource source) {
        VersionInfo draft = lake.datasets().createDraft("scenes", source).block();
        assertThat(lake.datasets().audit(draft.id(), AuditOptions.defaults(), List.of()).block().passed()).isTrue();
        return lake.datasets().publish(draft.id()).block();
    }

    private ExportOptions.Builder coco(CocoOptions options) {
        return ExportOptions.builder().format(ExportFormat.COCO).coco(options);
    }

    @Test
    void exportsImagesOnceBoxesOnceWithSortedCategoriesAndTrueSizes() throws Exception {
        VersionInfo v2 = publishWithRepeats();
        Path out = temp.resolve("exports").resolve("coco");
        List<Row> rows = lake.datasets().rows(v2.ref()).collectList().block();
        assertThat(rows).hasSize(5);

        // Batches of 2: images and boxes repeat across batches.
        ExportReport report = Exporter.of(lake).exportVersion(VersionRef.parse("scenes@2"), out,
                coco(new CocoOptions("image", List.of("box"), false)).batchSize(2).build()).block();

        assertThat(report.rows()).isEqualTo(5);
        assertThat(report.payloadFiles()).as("A and C share their bytes").isEqualTo(2);
        Document json = annotations(out);
        assertThat(json.keySet()).containsExactly("info", "licenses", "images", "annotations", "categories",
                "classifications");

        // Images: ids 1.. in order of first appearance, each image datum once.
        List<ObjectId> firstSeen = rows.stream().map(r -> r.columns().get("image")).distinct().toList();
        List<Document> images = json.getList("images", Document.class);
        assertThat(images).extracting(i -> i.getInteger("id")).containsExactly(1, 2, 3);
        assertThat(images).extracting(i -> new ObjectId(i.getString("datalake_id")))
                .containsExactlyElementsOf(firstSeen);
        Map<ObjectId, Document> imageByDatum = images.stream()
                .collect(Collectors.toMap(i -> new ObjectId(i.getString("datalake_id")), i -> i));
        assertImage(imageByDatum.get(imageA.id()), PNG_A, 40, 30);
        assertImage(imageByDatum.get(imageB.id()), PNG_B, 20, 10);
        assertImage(imageByDatum.get(imageC.id()), PNG_A, 40, 30);
        for (Document image : images) {
            assertThat(Files.readAllBytes(out.resolve("images").resolve(image.getString("file_name"))))
                    .isEqualTo(image.getString("datalake_id").equals(imageB.id().toHexString()) ? PNG_B : PNG_A);
        }

        // Categories: sorted label names, ids from 1; the supercategory where a datum gives one.
        assertThat(json.getList("categories", Document.class)).containsExactly(
                new Document("id", 1).append("name", "bird"),
                new Document("id", 2).append("name", "cat").append("supercategory", "animal"),
                new Document("id", 3).append("name", "dog"));

        // Annotations: each box datum once, with the image of the first row it is in; ids in row order.
        List<ObjectId> boxesSeen = rows.stream().map(r -> r.columns().get("box")).distinct().toList();
        List<Document> anns = json.getList("annotations", Document.class);
        assertThat(anns).extracting(a -> a.getInteger("id")).containsExactly(1, 2, 3, 4);
        assertThat(anns).extracting(a -> new ObjectId(a.getString("datalake_id"))).containsExactlyElementsOf(boxesSeen);
        Map<ObjectId, Document> byDatum = anns.stream()
                .collect(Collectors.toMap(a -> new ObjectId(a.getString("datalake_id")), a -> a));
        int idA = imageByDatum.get(imageA.id()).getInteger("id");
        assertThat(byDatum.get(boxCat.id())).isEqualTo(new Document("id", byDatum.get(boxCat.id()).getInteger("id"))
                .append("image_id", idA).append("category_id", 2).append("bbox", List.of(0.5, 0, 3.5, 4))
                .append("area", 14.0).append("iscrowd", 0).append("datalake_id", boxCat.id().toHexString()));
        assertThat(byDatum.get(boxDog.id()).getList("bbox", Integer.class)).containsExactly(1, 2, 10, 5);
        assertThat(byDatum.get(boxDog.id()).get("area")).isEqualTo(50);
        assertThat(byDatum.get(boxDog.id()).getInteger("category_id")).isEqualTo(3);
        assertThat(byDatum.get(boxDog.id()).getInteger("image_id")).isEqualTo(idA);
        assertThat(byDatum.get(boxCatB.id()).get("area")).as("the datum's own area").isEqualTo(20.5);
        assertThat(byDatum.get(boxCatB.id()).getInteger("image_id"))
                .isEqualTo(imageByDatum.get(imageB.id()).getInteger("id"));
        assertThat(byDatum.get(boxBird.id()).getInteger("category_id")).isEqualTo(1);
        assertThat(json.getList("classifications", Document.class)).isEmpty();

        Document info = json.get("info", Document.class);
        assertThat(info.getString("version")).isEqualTo("scenes@2");
        assertThat(info.getString("content_hash")).isEqualTo(v2.contentHash()).isNotNull();

        Document manifest = Document.parse(Files.readString(out.resolve("manifest.json")));
        assertThat(manifest.getString("format")).isEqualTo("coco");
        Document counts = manifest.get("coco", Document.class);
        assertThat(counts.getInteger("images")).isEqualTo(3);
        assertThat(counts.getInteger("annotations")).isEqualTo(4);
        assertThat(counts.getInteger("categories")).isEqualTo(3);
        assertThat(((Number) counts.get("image_sizes_read_from_files")).longValue()).as("B and C").isEqualTo(2);
        assertThat(counts.getBoolean("child_annotations")).isFalse();
        List<Document> files = manifest.getList("files", Document.class);
        assertThat(files).extracting(f -> f.getString("path")).containsExactlyInAnyOrder("annotations.json",
                "images/" + sha256(PNG_A) + ".png", "images/" + sha256(PNG_B) + ".png");
        for (Document file : files) {
            assertThat(file.getString("sha256")).isEqualTo(sha256(Files.readAllBytes(out.resolve(
                    file.getString("path")))));
        }
        // No temporary files left.
        assertThat(allFiles(out)).containsExactlyInAnyOrderElementsOf(Stream.concat(Stream.of("manifest.json"),
                files.stream().map(f -> f.getString("path"))).collect(Collectors.toList()));
    }

    private static void assertImage(Document image, byte[] bytes, int width, int height) throws Exception {
        assertThat(image.getString("file_name")).isEqualTo(sha256(bytes) + ".png");
        assertThat(image.getInteger("width")).isEqualTo(width);
        assertThat(image.getInteger("height")).isEqualTo(height);
    }

    @Test
    void childAnnotationsAddEveryBoxAndClassificationOfEachImage() throws Exception {
        addScenes();
        Path out = temp.resolve("children");

        Exporter.of(lake).exportQuery(query, QueryOptions.defaults(), out,
                coco(new CocoOptions("image", List.of("box"), true)).build()).block();

        Document json = annotations(out);
        Map<String, Integer> categories = json.getList("categories", Document.class).stream()
                .collect(Collectors.toMap(c -> c.getString("name"), c -> c.getInteger("id")));
        assertThat(categories).containsExactlyInAnyOrderEntriesOf(Map.of("bird", 1, "cat", 2, "dog", 3, "indoor", 4));
        Map<String, Integer> imageIds = json.getList("images", Document.class).stream()
                .collect(Collectors.toMap(i -> i.getString("datalake_id"), i -> i.getInteger("id")));
        List<Document> anns = json.getList("annotations", Document.class);
        assertThat(anns).extracting(a -> a.getString("datalake_id")).containsExactlyInAnyOrder(
                boxDog.id().toHexString(), boxCat.id().toHexString(), boxCatB.id().toHexString(),
                boxBird.id().toHexString());
        assertThat(anns).extracting(a -> a.getInteger("id")).containsExactlyInAnyOrder(1, 2, 3, 4);
        int idA = imageIds.get(imageA.id().toHexString());
        assertThat(anns.stream().filter(a -> a.getInteger("image_id") == idA)
                .map(a -> a.getInteger("category_id"))).containsExactlyInAnyOrder(2, 3);
        assertThat(json.getList("classifications", Document.class)).containsExactly(new Document("id", 1)
                .append("image_id", idA).append("category_id", 4).append("datalake_id", indoor.id().toHexString()));

        Document counts = Document.parse(Files.readString(out.resolve("manifest.json"))).get("coco", Document.class);
        assertThat(counts.getBoolean("children_read_live")).isTrue();
        assertThat(((Number) counts.get("children_ignored")).longValue()).as("the caption").isEqualTo(1);
        assertThat(((Number) counts.get("skipped_not_annotations")).longValue()).as("columns only").isZero();
        assertThat(json.get("info", Document.class).getString("child_annotations")).contains("live");
    }

    @Test
    void onlyTheImageColumnsPayloadsAreCopiedAndNonAnnotationsAreSkipped() throws Exception {
        addScenes();
        for (Datum image : List.of(imageA, imageB, imageC)) {
            lake.addDatum("mask of " + image.id(), Map.of("kind", "mask"), registry, image.id()).block();
        }
        Query withMasks = Query.builder()
                .base("image", new Document("metadata.kind", "image"))
                .derived("box", "image", new Document("data.type", "bbox"))
                .derived("mask", "image", new Document("metadata.kind", "mask"))
                .build();
        Path out = temp.resolve("masks");

        ExportReport report = Exporter.of(lake).exportQuery(withMasks, QueryOptions.defaults(), out,
                coco(CocoOptions.defaults()).build()).block();

        assertThat(report.payloadFiles()).isEqualTo(2);
        try (Stream<Path> files = Files.list(out.resolve("images"))) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder(
                    sha256(PNG_A) + ".png", sha256(PNG_B) + ".png");
        }
        assertThat(annotations(out).getList("annotations", Document.class)).hasSize(3);
        Document counts = Document.parse(Files.readString(out.resolve("manifest.json"))).get("coco", Document.class);
        assertThat(counts.getList("annotation_columns", String.class)).containsExactly("box", "mask");
        assertThat(((Number) counts.get("skipped_not_annotations")).longValue()).isEqualTo(3);
    }

    @Test
    void aMalformedBoxFailsNamingTheDatumAndFieldAndLeavesNoFolder() throws Exception {
        addScenes();
        Datum bad = box(imageB, "cat", List.of(2, 2, -5, 5), Map.of());
        Path out = temp.resolve("exports").resolve("bad");

        assertThatThrownBy(() -> Exporter.of(lake).exportQuery(query, QueryOptions.defaults(), out,
                coco(new CocoOptions("image", List.of("box"), false)).build()).block())
                .isInstanceOf(UnexportableDatumException.class)
                .hasMessageContaining(bad.id().toHexString())
                .hasMessageContaining("data.bbox[2]")
                .hasMessageContaining("-5")
                .satisfies(e -> {
                    assertThat(((UnexportableDatumException) e).datumId()).isEqualTo(bad.id());
                    assertThat(((UnexportableDatumException) e).field()).isEqualTo("data.bbox[2]");
                });
        assertThat(siblings(out)).isEmpty();
    }

    @Test
    void anImageOfUnknownSizeFailsNamingTheDatumAndLeavesNoFolder() throws Exception {
        addScenes();
        Datum broken = lake.addDatum("not an image".getBytes(StandardCharsets.UTF_8), Map.of("kind", "image"),
                registry, null).block();
        box(broken, "cat", List.of(1, 1, 1, 1), Map.of());
        Path out = temp.resolve("exports").resolve("unknown-size");

        assertThatThrownBy(() -> Exporter.of(lake).exportQuery(query, QueryOptions.defaults(), out,
                coco(CocoOptions.defaults()).build()).block())
                .isInstanceOf(UnexportableDatumException.class)
                .hasMessageContaining(broken.id().toHexString())
                .hasMessageContaining("metadata.image_info")
                .satisfies(e -> assertThat(((UnexportableDatumException) e).field()).isEqualTo("metadata.image_info"));
        assertThat(siblings(out)).isEmpty();
    }

    @Test
    void anUnknownColumnIsRefusedAndLeavesNoFolder() throws Exception {
        addScenes();
        Path out = temp.resolve("exports").resolve("columns");

        assertThatThrownBy(() -> Exporter.of(lake).exportQuery(query, QueryOptions.defaults(), out,
                coco(new CocoOptions("picture", List.of(), false)).build()).block())
                .isInstanceOf(InvalidArgumentException.class)
                .hasMessageContaining("'picture'");
        assertThatThrownBy(() -> Exporter.of(lake).exportQuery(query, QueryOptions.defaults(), out,
                coco(new CocoOptions("image", List.of("boxes"), false)).build()).block())
                .isInstanceOf(InvalidArgumentException.class)
                .hasMessageContaining("'boxes'");
        assertThat(siblings(out)).isEmpty();
    }

    /**
     * Export, then import into a fresh lake: the same images (bytes and sizes) with the same boxes and labels, and
     * the same image-level labels (the classification of A travels in the export's {@code classifications}).
     */
    @Test
    void exportThenImportIntoAFreshLakeGivesTheSameImagesBoxesAndLabels() throws Exception {
        addScenes();
        Path out = temp.resolve("round-trip");
        Exporter.of(lake).exportQuery(query, QueryOptions.defaults(), out,
                coco(new CocoOptions("image", List.of("box"), true)).build()).block();
        Map<String, List<String>> expected = new java.util.TreeMap<>();
        for (Datum image : List.of(imageA, imageB, imageC)) {
            expected.put(image.metadata().get("name") + "", describe(lake, image.id()));
        }
        assertThat(expected.get("a")).containsExactly("bbox cat [0.5, 0.0, 3.5, 4.0]",
                "bbox dog [1.0, 2.0, 10.0, 5.0]", "classification indoor");

        Path registry2 = temp.resolve("reg2");
        try (Datalake fresh = TestLakes.newLake(s -> s.registry(RegistrySettings.builder()
                .allow(registry2.toString()).build()))) {
            ImportReport report = Importer.of(fresh).importCoco(out.resolve("annotations.json"),
                    out.resolve("images"), ImportOptions.builder().registry(registry2.toString()).build()).block();
            assertThat(report.imagesAdded()).isEqualTo(3);
            assertThat(report.annotationsAdded()).isEqualTo(5);

            List<Datum> images = fresh.queryRows(Query.builder().base("image", new Document("derived_from", null))
                            .build(), QueryOptions.defaults())
                    .concatMap(row -> fresh.getDatum(row.get("image"), true)).collectList().block();
            Map<String, List<String>> actual = new java.util.TreeMap<>();
            for (Datum image : images) {
                // The export kept the source datum's id among the image's fields; the importer keeps extra fields.
                String original = ((Map<?, ?>) image.metadata().get("coco")).get("datalake_id") + "";
                Datum source = lake.getDatum(new ObjectId(original), true).block();
                assertThat((byte[]) image.data()).isEqualTo((byte[]) source.data());
                assertThat(image.metadata().get("width")).isEqualTo(source.metadata().get("name").equals("b") ? 20L
                        : 40L);
                actual.put(source.metadata().get("name") + "", describe(fresh, image.id()));
            }
            assertThat(actual).isEqualTo(expected);
        }
    }

    /**
     * An image's annotation children as sorted "bbox label [x, y, w, h]" (numbers as doubles) and
     * "classification label" strings.
     */
    private static List<String> describe(Datalake lake, ObjectId image) {
        List<ObjectId> children = lake.getDirectlyDerivedData(image).collectList().block();
        return lake.getData(children).collectList().block().stream()
                .filter(d -> d.data() instanceof Map<?, ?>)
                .map(d -> (Map<?, ?>) d.data())
                .filter(d -> "bbox".equals(d.get("type")) || "classification".equals(d.get("type")))
                .map(d -> d.get("type") + " " + d.get("label") + (d.get("bbox") == null ? "" : " "
                        + ((List<?>) d.get("bbox")).stream().map(n -> Double.toString(((Number) n).doubleValue()))
                        .toList()))
                .sorted()
                .toList();
    }

    /**
     * pycocotools loads the file, finds every image file, and evaluating the ground truth against itself gives an AP
     * of 1: ids, areas, categories and boxes are all what COCOeval expects. Skipped where Python or pycocotools is
     * missing (set {@code -Ddatalake.python=/path/to/python} to choose the interpreter).
     */
    @Test
    void pycocotoolsLoadsTheExportAndScoresItsOwnBoxesPerfectly() throws Exception {
        String python = pythonWithPycocotools();
        addScenes();
        Path out = temp.resolve("pycoco");
        Exporter.of(lake).exportQuery(query, QueryOptions.defaults(), out,
                coco(new CocoOptions("image", List.of("box"), true)).build()).block();
        Path script = temp.resolve("check.py");
        Files.writeString(script, String.join("\n",
                "import contextlib, io, os, sys",
                "from pycocotools.coco import COCO",
                "from pycocotools.cocoeval import COCOeval",
                "root = sys.argv[1]",
                "with contextlib.redirect_stdout(io.StringIO()):",
                "    coco = COCO(os.path.join(root, 'annotations.json'))",
                "imgs = coco.loadImgs(coco.getImgIds())",
                "missing = [i['file_name'] for i in imgs if not os.path.isfile(os.path.join(root, 'images', i['file_name']))]",
                "a = [i['id'] for i in imgs if i['width'] == 40 and i['height'] == 30]",
                "per_image = sorted(len(coco.getAnnIds(imgIds=[i])) for i in a)",
                "anns = coco.loadAnns(coco.getAnnIds())",
                "dets = [dict(image_id=x['image_id'], category_id=x['category_id'], bbox=x['bbox'], score=1.0)"
                        + " for x in anns]",
                "with contextlib.redirect_stdout(io.StringIO()):",
                "    ev = COCOeval(coco, coco.loadRes(dets), 'bbox')",
                "    ev.evaluate(); ev.accumulate(); ev.summarize()",
                "cats = [c['name'] for c in coco.loadCats(coco.getCatIds())]",
                "print('images', len(imgs), 'missing', len(missing), 'anns', len(anns), 'per_image', per_image,"
                        + " 'cats', ','.join(cats), 'ap', round(float(ev.stats[0]), 6))",
                ""));

        String output = run(List.of(python, script.toString(), out.toString()));

        assertThat(output.trim()).isEqualTo(
                "images 3 missing 0 anns 4 per_image [1, 2] cats bird,cat,dog,indoor ap 1.0");
    }

    /** An interpreter with pycocotools, or the test is skipped. */
    private static String pythonWithPycocotools() throws Exception {
        List<String> candidates = new ArrayList<>();
        // -Ddatalake.python, else DATALAKE_PYTHON (as the Python readers test), else the usual places.
        String chosen = System.getProperty("datalake.python", System.getenv("DATALAKE_PYTHON"));
        if (chosen != null && !chosen.isBlank()) {
            candidates.add(chosen);
        }
        candidates.addAll(List.of("/tmp/pqvenv/bin/python", "python3"));
        for (String python : candidates) {
            try {
                run(List.of(python, "-c", "import pycocotools.coco, pycocotools.cocoeval"));
                return python;
            } catch (IOException | AssertionError e) {
                // Try the next interpreter.
            }
        }
        assumeTrue(false, "no Python with pycocotools (tried " + candidates + ")");
        throw new AssertionError("unreachable");
    }

    private static String run(List<String> command) throws Exception {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        process.getOutputStream().close();
        byte[] output = process.getInputStream().readAllBytes();
        assertThat(process.waitFor(120, TimeUnit.SECONDS)).isTrue();
        String text = new String(output, StandardCharsets.UTF_8);
        assertThat(process.exitValue()).as(text).isZero();
        return text;
    }

    private static Document annotations(Path out) throws IOException {
        return Document.parse(Files.readString(out.resolve("annotations.json")));
    }

    private static byte[] png(int width, int height, Color color) {
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        g.setColor(color);
        g.fillRect(0, 0, width, height);
        g.dispose();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try {
            assertThat(ImageIO.write(image, "png", bytes)).isTrue();
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        return bytes.toByteArray();
    }

    private static List<String> siblings(Path out) throws IOException {
        if (!Files.exists(out.getParent())) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(out.getParent())) {
            return s.map(p -> p.getFileName().toString()).collect(Collectors.toList());
        }
    }

    private static Set<String> allFiles(Path root) throws IOException {
        try (Stream<Path> s = Files.walk(root)) {
            return s.filter(Files::isRegularFile).map(p -> root.relativize(p).toString().replace('\\', '/'))
                    .collect(Collectors.toSet());
        }
    }

    private static String sha256(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }
}
