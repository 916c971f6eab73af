package io.datalake.io;

import static io.datalake.io.ImportFixture.data;
import static io.datalake.io.ImportFixture.map;
import static io.datalake.io.ImportFixture.meta;
import static io.datalake.io.ImportFixture.png;
import static io.datalake.io.ImportFixture.source;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.datalake.Datalake;
import io.datalake.DatalakeException;
import io.datalake.InvalidArgumentException;
import io.datalake.NewDatum;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.bson.Document;
import org.bson.types.ObjectId;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;

/** COCO import into an embedded lake with a file registry. */
class EmbeddedCocoImportTest {
    /** One entry per line, annotations before images (COCO does not fix the order): line numbers are known. */
    static final String GOOD = String.join("\n",
            "{",
            "\"info\": {\"description\": \"a tiny set\"},",
            "\"annotations\": [",
            "{\"id\": 10, \"image_id\": 1, \"category_id\": 1, \"bbox\": [1, 2, 3.5, 4], \"area\": 14.0,"
                    + " \"iscrowd\": 0, \"segmentation\": [[1, 2, 4.5, 2, 4.5, 6]]},",
            "{\"id\": 11, \"image_id\": 1, \"category_id\": 2, \"bbox\": [0, 0, 8, 6], \"score\": 0.9,"
                    + " \"attributes\": {\"occluded\": true}},",
            "{\"id\": 12, \"image_id\": 2, \"category_id\": 2, \"bbox\": [2, 1, 2, 2], \"iscrowd\": 1,"
                    + " \"segmentation\": {\"counts\": [0, 4, 44], \"size\": [6, 8]}},",
            "{\"id\": 13, \"image_id\": 3, \"category_id\": 1}",
            "],",
            "\"images\": [",
            "{\"id\": 1, \"file_name\": \"a.png\", \"width\": 8, \"height\": 6},",
            "{\"id\": 2, \"file_name\": \"sub/b.png\", \"width\": 8, \"height\": 6, \"license\": 3,"
                    + " \"date_captured\": \"2020-01-01 10:00:00\"},",
            "{\"id\": 3, \"file_name\": \"c.png\", \"width\": 8, \"height\": 6},",
            "{\"id\": 4, \"file_name\": \"d.png\", \"width\": 8, \"height\": 6}",
            "],",
            "\"categories\": [",
            "{\"id\": 1, \"name\": \"cat\", \"supercategory\": \"animal\"},",
            "{\"id\": 2, \"name\": \"dog\"}",
            "]",
            "}");

    /**
     * GOOD with our COCO export's image-level labels before the images: lines 9-12, images from line 13.
     * Classification ids are their own series (10 is also an annotation id), as the export numbers them.
     */
    static final String CLASSIFIED = GOOD.replace("\"images\": [\n", String.join("\n",
            "\"classifications\": [",
            "{\"id\": 1, \"image_id\": 2, \"category_id\": 2, \"datalake_id\": \"65a1b2c3d4e5f60718293a4b\"},",
            "{\"id\": 10, \"image_id\": 4, \"category_id\": 1, \"score\": 0.75}",
            "],",
            "\"images\": [",
            ""));

    @TempDir
    Path temp;
    private ImportFixture fx;
    private Path imagesDir;
    private Path json;

    @BeforeEach
    void setUp() throws Exception {
        fx = new ImportFixture(temp);
        imagesDir = temp.resolve("images");
        png(imagesDir.resolve("a.png"), 8, 6, 1);
        png(imagesDir.resolve("sub/b.png"), 8, 6, 2);
        png(imagesDir.resolve("c.png"), 8, 6, 3);
        png(imagesDir.resolve("d.png"), 8, 6, 4);
        json = temp.resolve("instances.json");
        Files.writeString(json, GOOD);
    }

    @AfterEach
    void tearDown() {
        fx.close();
    }

    private static List<String> spillFiles() throws Exception {
        try (Stream<Path> files = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
            return files.map(f -> f.getFileName().toString()).filter(n -> n.startsWith("datalake-coco-import-"))
                    .collect(Collectors.toList());
        }
    }

    @Test
    void importsImagesAndTheirAnnotationsAsDerivedDatums() throws Exception {
        List<String> spills = spillFiles();
        List<ImportProgress> progress = new ArrayList<>();
        ImportReport report = Importer.of(fx.lake).importCoco(json, imagesDir, fx.options().batchSize(3)
                .metadata(Map.of("project", "zoo")).progress(progress::add).build()).block();

        assertThat(report).isEqualTo(new ImportReport("coco", 1, 4, 0, 4, 0));
        assertThat(spillFiles()).as("the temporary annotation file is deleted").isEqualTo(spills);
        assertThat(progress).containsExactly(new ImportProgress(3, 4, 4), new ImportProgress(4, 4, 4));

        Map<Long, Document> images = fx.images().stream()
                .collect(Collectors.toMap(d -> source(d).getLong("image_id"), d -> d));
        assertThat(images).hasSize(4);
        String[] files = {"a.png", "sub/b.png", "c.png", "d.png"};
        for (long id = 1; id <= 4; id++) {
            Document image = images.get(id);
            assertThat(source(image)).isEqualTo(new Document(map("format", "coco", "file", "instances.json",
                    "image_id", id, "file_name", files[(int) id - 1])));
            assertThat(meta(image).getString("project")).isEqualTo("zoo");
            assertThat(meta(image).getLong("width")).isEqualTo(8L);
            assertThat(meta(image).getLong("height")).isEqualTo(6L);
            assertThat(meta(image).getString("import_key")).hasSize(64);
            assertThat(fx.payload(image.getObjectId("_id")))
                    .isEqualTo(Files.readAllBytes(imagesDir.resolve(files[(int) id - 1])));
        }
        assertThat(meta(images.get(2L)).get("coco", Document.class))
                .isEqualTo(new Document(map("license", 3L, "date_captured", "2020-01-01 10:00:00")));
        assertThat(meta(images.get(1L)).get("coco")).isNull();

        Map<Long, Document> boxes = fx.annotations().stream()
                .collect(Collectors.toMap(d -> source(d).getLong("annotation_id"), d -> d));
        assertThat(boxes).hasSize(4);
        Map<Long, Long> imageOf = Map.of(10L, 1L, 11L, 1L, 12L, 2L, 13L, 3L);
        imageOf.forEach((annotation, image) -> {
            Document a = boxes.get(annotation);
            assertThat(a.getObjectId("derived_from")).isEqualTo(images.get(image).getObjectId("_id"));
            assertThat(source(a)).isEqualTo(new Document(map("format", "coco", "file", "instances.json",
                    "annotation_id", annotation)));
            assertThat(a.get("registry_uri")).isNull();
        });
        assertThat(data(boxes.get(10L))).isEqualTo(new Document(map("type", "bbox", "label", "cat",
                "bbox", List.of(1L, 2L, 3.5, 4L), "category_id", 1L, "area", 14.0, "iscrowd", 0L,
                "segmentation", List.of(List.of(1L, 2L, 4.5, 2L, 4.5, 6L)))));
        assertThat(data(boxes.get(11L))).isEqualTo(new Document(map("type", "bbox", "label", "dog",
                "bbox", List.of(0L, 0L, 8L, 6L), "category_id", 2L, "score", 0.9,
                "extra", new Document("attributes", new Document("occluded", true)))));
        assertThat(data(boxes.get(12L)).get("segmentation"))
                .isEqualTo(new Document(map("counts", List.of(0L, 4L, 44L), "size", List.of(6L, 8L))));
        assertThat(data(boxes.get(13L))).isEqualTo(new Document(map("type", "classification", "label", "cat",
                "category_id", 1L)));
        fx.assertNoDuplicateKeys();
    }

    @Test
    void importsTheClassificationsArrayAsClassificationDatumsOfTheirImages() throws Exception {
        Files.writeString(json, CLASSIFIED);

        ImportReport report = Importer.of(fx.lake).importCoco(json, imagesDir, fx.options().batchSize(3).build())
                .block();

        assertThat(report).isEqualTo(new ImportReport("coco", 1, 4, 0, 6, 0));
        Map<Long, ObjectId> images = fx.images().stream()
                .collect(Collectors.toMap(d -> source(d).getLong("image_id"), d -> d.getObjectId("_id")));
        Map<Long, Document> labels = fx.annotations().stream()
                .filter(d -> source(d).containsKey("classification_id"))
                .collect(Collectors.toMap(d -> source(d).getLong("classification_id"), d -> d));
        assertThat(labels).hasSize(2);
        assertThat(labels.get(1L).getObjectId("derived_from")).isEqualTo(images.get(2L));
        assertThat(labels.get(10L).getObjectId("derived_from")).isEqualTo(images.get(4L));
        assertThat(source(labels.get(1L))).isEqualTo(new Document(map("format", "coco", "file", "instances.json",
                "classification_id", 1L)));
        assertThat(data(labels.get(1L))).isEqualTo(new Document(map("type", "classification", "label", "dog",
                "category_id", 2L, "extra", new Document("datalake_id", "65a1b2c3d4e5f60718293a4b"))));
        assertThat(data(labels.get(10L))).isEqualTo(new Document(map("type", "classification", "label", "cat",
                "category_id", 1L, "score", 0.75)));
        assertThat(meta(labels.get(10L)).getString("import_key")).hasSize(64);
        // Annotation 10 and classification 10 are two datums.
        assertThat(fx.annotations().stream().filter(d -> Long.valueOf(10L).equals(source(d).get("annotation_id"))))
                .hasSize(1);
        fx.assertNoDuplicateKeys();
    }

    @Test
    void runningAnImportWithClassificationsAgainSkipsThem() throws Exception {
        Importer importer = Importer.of(fx.lake);
        ImportReport first = importer.importCoco(Files.writeString(json, CLASSIFIED), imagesDir,
                fx.options().batchSize(2).build()).block();
        List<Document> before = fx.documents();

        ImportReport again = importer.importCoco(json, imagesDir, fx.options().batchSize(3).build()).block();

        assertThat(first).isEqualTo(new ImportReport("coco", 1, 4, 0, 6, 0));
        assertThat(again).isEqualTo(new ImportReport("coco", 1, 0, 4, 0, 6));
        assertThat(fx.documents()).isEqualTo(before);
    }

    @Test
    void runningTheSameImportAgainAddsNothingAndReportsWhatItSkipped() {
        Importer importer = Importer.of(fx.lake);
        importer.importCoco(json, imagesDir, fx.options().batchSize(2).build()).block();
        List<Document> before = fx.documents();
        List<Path> payloads = fx.registryFiles();

        ImportReport again = importer.importCoco(json, imagesDir, fx.options().batchSize(3).build()).block();

        assertThat(again).isEqualTo(new ImportReport("coco", 1, 0, 4, 0, 4));
        assertThat(fx.documents()).isEqualTo(before);
        assertThat(fx.registryFiles()).containsExactlyInAnyOrderElementsOf(payloads);
    }

    @Test
    void identicalImageBytesShareOnePayloadAndOtherMetadataMakesANewImport() throws Exception {
        Files.copy(imagesDir.resolve("a.png"), imagesDir.resolve("d.png"), java.nio.file.StandardCopyOption
                .REPLACE_EXISTING);
        Importer.of(fx.lake).importCoco(json, imagesDir, fx.options().build()).block();
        assertThat(fx.images()).hasSize(4);
        assertThat(fx.registryFiles()).hasSize(3);

        // The user's metadata is part of what an import is: other metadata imports the set again.
        ImportReport other = Importer.of(fx.lake).importCoco(json, imagesDir, fx.options()
                .metadata(Map.of("project", "other")).build()).block();
        assertThat(other).isEqualTo(new ImportReport("coco", 1, 4, 0, 4, 0));
        assertThat(fx.registryFiles()).hasSize(3);
        fx.assertNoDuplicateKeys();
    }

    static Stream<Arguments> malformed() {
        return Stream.of(
                Arguments.of("missing file_name", edit("{\"id\": 1, \"file_name\": \"a.png\",", "{\"id\": 1,"),
                        "images[0].file_name", 10),
                Arguments.of("negative bbox width", edit("[1, 2, 3.5, 4]", "[1, 2, -3.5, 4]"),
                        "annotations[0].bbox", 4),
                Arguments.of("bbox of three numbers", edit("[0, 0, 8, 6]", "[0, 0, 8]"), "annotations[1].bbox", 5),
                Arguments.of("bbox of strings", edit("[2, 1, 2, 2]", "[\"2\", 1, 2, 2]"), "annotations[2].bbox", 6),
                Arguments.of("unknown image_id", edit("\"id\": 12, \"image_id\": 2", "\"id\": 12, \"image_id\": 99"),
                        "annotations[2].image_id", 6),
                Arguments.of("unknown category_id", edit("{\"id\": 13, \"image_id\": 3, \"category_id\": 1}",
                        "{\"id\": 13, \"image_id\": 3, \"category_id\": 7}"), "annotations[3].category_id", 7),
                Arguments.of("category without a name", edit("{\"id\": 2, \"name\": \"dog\"}", "{\"id\": 2}"),
                        "categories[1].name", 17),
                Arguments.of("annotation without category_id", edit(", \"category_id\": 1}", "}"),
                        "annotations[3].category_id", 7),
                Arguments.of("annotation id twice", edit("\"id\": 11, \"image_id\": 1", "\"id\": 10, \"image_id\": 1"),
                        "annotations[1].id", 5),
                Arguments.of("annotation id twice as text",
                        edit("\"id\": 13, \"image_id\"", "\"id\": \"x\", \"image_id\"")
                                .andThen(t -> t.replace("\"id\": 12, \"image_id\"", "\"id\": \"x\", \"image_id\"")),
                        "annotations[3].id", 7),
                Arguments.of("image id twice", edit("{\"id\": 3, \"file_name\"", "{\"id\": 2, \"file_name\""),
                        "images[2].id", 12),
                Arguments.of("zero width", edit("\"c.png\", \"width\": 8", "\"c.png\", \"width\": 0"),
                        "images[2].width", 12),
                Arguments.of("path escaping the folder", edit("\"c.png\"", "\"../outside.png\""),
                        "images[2].file_name", 12),
                Arguments.of("escaping through a folder", edit("\"c.png\"", "\"sub/../../outside.png\""),
                        "images[2].file_name", 12),
                Arguments.of("absolute path", (Function<Path, String>) dir -> GOOD.replace("\"c.png\"",
                        "\"" + dir.resolve("outside.png").toAbsolutePath() + "\""), "images[2].file_name", 12),
                Arguments.of("symbolic link out of the folder", edit("\"d.png\"", "\"link.png\""),
                        "images[3].file_name", 13),
                Arguments.of("missing image file", edit("\"d.png\"", "\"nope.png\""), "images[3].file_name", 13),
                Arguments.of("key that cannot be stored", edit("\"score\": 0.9", "\"score\": 0.9, \"a.b\": 1"),
                        "annotations[1].a.b", 5),
                Arguments.of("syntax error", edit("{\"id\": 13, \"image_id\": 3, \"category_id\": 1}",
                        "{\"id\": 13, \"image_id\": 3, \"category_id\": 1,}"), null, 7),
                Arguments.of("key given twice", edit("\"id\": 13, \"image_id\": 3", "\"id\": 13, \"id\": 3"),
                        null, 7),
                Arguments.of("no images", edit("\"images\": [", "\"pictures\": ["), "images", -1),
                Arguments.of("classification without image_id",
                        classified("\"id\": 1, \"image_id\": 2, ", "\"id\": 1, "), "classifications[0].image_id", 10),
                Arguments.of("classification of an unknown image",
                        classified("\"image_id\": 4, \"category_id\": 1, \"score\"",
                                "\"image_id\": 99, \"category_id\": 1, \"score\""),
                        "classifications[1].image_id", 11),
                Arguments.of("classification of an unknown category",
                        classified("\"image_id\": 2, \"category_id\": 2, \"datalake_id\"",
                                "\"image_id\": 2, \"category_id\": 5, \"datalake_id\""),
                        "classifications[0].category_id", 10),
                Arguments.of("classification id twice", classified("{\"id\": 10, \"image_id\": 4",
                        "{\"id\": 1, \"image_id\": 4"), "classifications[1].id", 11),
                Arguments.of("classification id of the wrong type", classified("{\"id\": 10, \"image_id\": 4",
                        "{\"id\": 1.5, \"image_id\": 4"), "classifications[1].id", 11),
                Arguments.of("classification with a box", classified("\"score\": 0.75}",
                        "\"score\": 0.75, \"bbox\": [0, 0, 1, 1]}"), "classifications[1].bbox", 11),
                Arguments.of("classification not an object", classified("{\"id\": 10, \"image_id\": 4, "
                        + "\"category_id\": 1, \"score\": 0.75}", "7"), "classifications[1]", 11),
                Arguments.of("classifications not an array", classified("\"classifications\": [\n{\"id\": 1,",
                        "\"classifications\": {\"a\": [\n{\"id\": 1,").andThen(t -> t.replace("0.75}\n],",
                        "0.75}\n]},")), "classifications", 9));
    }

    private static Function<Path, String> edit(String from, String to) {
        if (!GOOD.contains(from)) {
            throw new IllegalArgumentException(from);
        }
        return dir -> GOOD.replace(from, to);
    }

    private static Function<Path, String> classified(String from, String to) {
        if (!CLASSIFIED.contains(from)) {
            throw new IllegalArgumentException(from);
        }
        return dir -> CLASSIFIED.replace(from, to);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformed")
    void aMalformedFileFailsTypedNamingFileAndFieldAndWritesNothing(String name, Function<Path, String> content,
            String field, long line) throws Exception {
        png(temp.resolve("outside.png"), 8, 6, 9);
        Files.createSymbolicLink(imagesDir.resolve("link.png"), temp.resolve("outside.png"));
        Files.writeString(json, content.apply(temp));

        assertThatThrownBy(() -> Importer.of(fx.lake).importCoco(json, imagesDir, fx.options().build()).block())
                .isInstanceOfSatisfying(ImportFormatException.class, e -> {
                    assertThat(e.file()).isEqualTo(json);
                    assertThat(e.field()).isEqualTo(field);
                    assertThat(e.line()).isEqualTo(line);
                    assertThat(e.getMessage()).startsWith(json + (line > 0 ? ":" + line + ":" : ": "));
                    if (field != null) {
                        assertThat(e.getMessage()).contains(": " + field + ": ");
                    }
                });
        assertThat(fx.documents()).isEmpty();
        assertThat(fx.registryFiles()).isEmpty();
    }

    @Test
    void aMissingFileOrFolderIsAnInvalidArgument() {
        assertThatThrownBy(() -> Importer.of(fx.lake).importCoco(temp.resolve("none.json"), imagesDir,
                fx.options().build()).block()).isInstanceOf(InvalidArgumentException.class)
                .hasMessageContaining("none.json");
        assertThatThrownBy(() -> Importer.of(fx.lake).importCoco(json, temp.resolve("nowhere"),
                fx.options().build()).block()).isInstanceOf(InvalidArgumentException.class)
                .hasMessageContaining("nowhere");
        assertThatThrownBy(() -> Importer.of(fx.lake).importCoco(null, imagesDir, fx.options().build()))
                .isInstanceOf(InvalidArgumentException.class);
        assertThatThrownBy(() -> ImportOptions.builder().metadata(Map.of("source", "x")))
                .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("source");
    }

    /**
     * A lake whose {@code addData} call number {@code failing} stores only the first {@code stored} datums it is
     * given and then fails, as a process killed in the middle of a batch would leave it.
     */
    private Datalake crashingAt(int failing, int stored) {
        AtomicInteger calls = new AtomicInteger();
        return (Datalake) Proxy.newProxyInstance(Datalake.class.getClassLoader(), new Class<?>[] {Datalake.class},
                (proxy, method, args) -> {
                    if (method.getName().equals("addData") && calls.incrementAndGet() == failing) {
                        @SuppressWarnings("unchecked")
                        Publisher<NewDatum> datums = (Publisher<NewDatum>) args[0];
                        return Flux.from(datums).take(stored).collectList()
                                .flatMapMany(part -> fx.lake.addData(Flux.fromIterable(part)))
                                .thenMany(Flux.error(new DatalakeException("simulated crash")));
                    }
                    try {
                        return method.invoke(fx.lake, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }

    @Test
    void anImportInterruptedBetweenBatchesFinishesOnTheNextRunWithoutDuplicates() {
        assertThatThrownBy(() -> Importer.of(crashingAt(2, 0)).importCoco(json, imagesDir,
                fx.options().batchSize(1).build()).block()).hasMessageContaining("simulated crash");
        assertThat(fx.images()).hasSize(1);
        assertThat(fx.annotations()).hasSize(2);

        ImportReport rest = Importer.of(fx.lake).importCoco(json, imagesDir, fx.options().batchSize(1).build())
                .block();

        assertThat(rest).isEqualTo(new ImportReport("coco", 1, 3, 1, 2, 2));
        assertThat(fx.images()).hasSize(4);
        assertThat(fx.annotations()).hasSize(4);
        fx.assertNoDuplicateKeys();
    }

    @Test
    void anImportKilledInsideABatchFinishesOnTheNextRunWithoutDuplicates() {
        // Batch 1 = images 1 and 2 with annotations 10, 11 (of image 1) and 12 (of image 2): keep image 1 and
        // annotation 10 only, as a kill -9 during the insert could.
        assertThatThrownBy(() -> Importer.of(crashingAt(1, 2)).importCoco(json, imagesDir,
                fx.options().batchSize(2).build()).block()).hasMessageContaining("simulated crash");
        assertThat(fx.documents()).hasSize(2);
        ObjectId first = fx.images().get(0).getObjectId("_id");

        ImportReport rest = Importer.of(fx.lake).importCoco(json, imagesDir, fx.options().batchSize(2).build())
                .block();

        assertThat(rest).isEqualTo(new ImportReport("coco", 1, 3, 1, 3, 1));
        assertThat(fx.images()).hasSize(4);
        Map<Long, ObjectId> parents = new HashMap<>();
        fx.annotations().forEach(a -> parents.put(source(a).getLong("annotation_id"), a.getObjectId("derived_from")));
        assertThat(parents).hasSize(4).containsEntry(10L, first).containsEntry(11L, first);
        fx.assertNoDuplicateKeys();
    }

    @Test
    void withoutARegistryTheLakeDecidesWhereTheBytesGoAndReRunsStillSkip() throws Exception {
        // No registry named: images are handed over as bytes; small ones stay inline, as addData does for any value.
        ImportReport first = Importer.of(fx.lake).importCoco(json, imagesDir, ImportOptions.defaults()).block();
        ImportReport again = Importer.of(fx.lake).importCoco(json, imagesDir, ImportOptions.defaults()).block();

        assertThat(first).isEqualTo(new ImportReport("coco", 1, 4, 0, 4, 0));
        assertThat(again).isEqualTo(new ImportReport("coco", 1, 0, 4, 0, 4));
        Document a = fx.images().stream().filter(d -> source(d).getLong("image_id") == 1L).findFirst().get();
        assertThat(fx.payload(a.getObjectId("_id"))).isEqualTo(Files.readAllBytes(imagesDir.resolve("a.png")));
        assertThat(fx.registryFiles()).isEmpty();
    }

    @Test
    void concurrentRunsMayBothWriteButALaterRunAddsNothing() {
        Importer importer = Importer.of(fx.lake);
        List<ImportReport> both = Flux.merge(
                importer.importCoco(json, imagesDir, fx.options().batchSize(1).build()),
                importer.importCoco(json, imagesDir, fx.options().batchSize(1).build())).collectList().block();
        assertThat(both).hasSize(2).allSatisfy(r -> {
            assertThat(r.imagesAdded() + r.imagesSkipped()).isEqualTo(4);
            assertThat(r.annotationsAdded() + r.annotationsSkipped()).isEqualTo(4);
        });
        int stored = fx.documents().size();

        ImportReport later = importer.importCoco(json, imagesDir, fx.options().build()).block();

        assertThat(later).isEqualTo(new ImportReport("coco", 1, 0, 4, 0, 4));
        assertThat(fx.documents()).hasSize(stored);
        Map<Object, Long> perKey = fx.documents().stream().collect(Collectors.groupingBy(
                d -> meta(d).get("import_key"), Collectors.counting()));
        assertThat(perKey).hasSize(8).allSatisfy((key, n) -> assertThat(n).isBetween(1L, 2L));
    }

    @Test
    void importKeysAreIndexedSoEachBatchLookupIsCheap() {
        List<Document> keys = Flux.from(io.datalake.mongo.TestLakes.documents(fx.lake).listIndexes())
                .map(index -> (Document) index.get("key")).collectList().block();
        assertThat(keys).contains(new Document("metadata.import_key", 1));
    }

    @Test
    void aForgedImportKeyDoesNotMakeTheImportSkipAnImage() throws Exception {
        Importer.of(fx.lake).importCoco(json, imagesDir, fx.options().build()).block();
        Document a = fx.images().stream().filter(d -> source(d).getLong("image_id") == 1L).findFirst().get();
        String key = meta(a).getString("import_key");
        ImportFixture other = new ImportFixture(temp.resolve("second"));
        try {
            // Another client stores a different image under the key: the import must not take it for its own.
            other.lake.addDatum(NewDatum.builder().data(new byte[] {1, 2, 3}).registryUri(other.registry.toString())
                    .metadata(Map.of("import_key", key)).build()).block();
            ImportReport report = Importer.of(other.lake).importCoco(json, imagesDir, other.options().build())
                    .block();
            assertThat(report.imagesAdded()).isEqualTo(4);
            assertThat(other.images()).hasSize(5);
        } finally {
            other.close();
        }
    }
}
