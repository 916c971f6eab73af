package io.datalake.io;

import static io.datalake.io.ImportFixture.copyResource;
import static io.datalake.io.ImportFixture.data;
import static io.datalake.io.ImportFixture.map;
import static io.datalake.io.ImportFixture.meta;
import static io.datalake.io.ImportFixture.png;
import static io.datalake.io.ImportFixture.source;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.bson.Document;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Pascal VOC import of the hand-made sample sets under src/test/resources/voc. */
class EmbeddedVocImportTest {
    @TempDir
    Path temp;
    private ImportFixture fx;

    @BeforeEach
    void setUp() {
        fx = new ImportFixture(temp);
    }

    @AfterEach
    void tearDown() {
        fx.close();
    }

    private Path standardSet() {
        Path voc = copyResource("/voc/standard", temp.resolve("VOC2012"));
        png(voc.resolve("JPEGImages/2007_000027.jpg"), 48, 40, 1);
        png(voc.resolve("JPEGImages/2008_000123.jpg"), 32, 24, 2);
        png(voc.resolve("JPEGImages/2008_000200.jpg"), 20, 20, 3);
        return voc;
    }

    private static Map<String, Document> byFile(List<Document> datums) {
        return datums.stream().collect(Collectors.toMap(d -> source(d).getString("file")
                + (source(d).containsKey("object_index") ? "#" + source(d).getLong("object_index") : ""), d -> d));
    }

    @Test
    void importsTheDevkitLayoutWithEveryOptionalField() throws Exception {
        Path voc = standardSet();

        ImportReport report = Importer.of(fx.lake).importVoc(voc, fx.options().metadata(Map.of("set", "voc-mini"))
                .build()).block();

        assertThat(report).isEqualTo(new ImportReport("voc", 3, 3, 0, 4, 0));
        Map<String, Document> images = byFile(fx.images());
        assertThat(images.keySet()).containsExactlyInAnyOrder("Annotations/2007_000027.xml",
                "Annotations/2008_000123.xml", "Annotations/2008_000200.xml");
        Document full = images.get("Annotations/2007_000027.xml");
        assertThat(source(full)).isEqualTo(new Document(map("format", "voc", "file", "Annotations/2007_000027.xml",
                "filename", "2007_000027.jpg")));
        assertThat(meta(full).getString("set")).isEqualTo("voc-mini");
        assertThat(meta(full).getLong("width")).isEqualTo(48L);
        assertThat(meta(full).getLong("height")).isEqualTo(40L);
        assertThat(meta(full).getLong("depth")).isEqualTo(3L);
        assertThat(meta(full).get("voc", Document.class)).isEqualTo(new Document(map(
                "folder", "VOC2012",
                "path", "/home/annotator/VOC2012/JPEGImages/2007_000027.jpg",
                "segmented", true,
                "source", new Document(map("database", "The VOC2007 Database", "annotation", "PASCAL VOC2007",
                        "image", "flickr", "flickrid", "194179466")),
                "owner", new Document(map("flickrid", "monsieurrompu", "name", "Thom Zemanek")))));
        assertThat(fx.payload(full.getObjectId("_id")))
                .isEqualTo(Files.readAllBytes(voc.resolve("JPEGImages/2007_000027.jpg")));

        Document minimal = images.get("Annotations/2008_000123.xml");
        assertThat(meta(minimal).keySet()).containsExactlyInAnyOrder("set", "source", "width", "height",
                "import_key");
        Document empty = images.get("Annotations/2008_000200.xml");
        assertThat(meta(empty).get("voc", Document.class))
                .isEqualTo(new Document(map("folder", "VOC2012", "segmented", false)));

        Map<String, Document> objects = byFile(fx.annotations());
        assertThat(objects.keySet()).containsExactlyInAnyOrder("Annotations/2007_000027.xml#0",
                "Annotations/2007_000027.xml#1", "Annotations/2008_000123.xml#0", "Annotations/2008_000123.xml#1");
        // Boxes: [xmin, ymin, xmax - xmin, ymax - ymin], VOC's numbers as they are (no 1-pixel shift).
        Document person = objects.get("Annotations/2007_000027.xml#0");
        assertThat(person.getObjectId("derived_from")).isEqualTo(full.getObjectId("_id"));
        assertThat(source(person)).isEqualTo(new Document(map("format", "voc", "file",
                "Annotations/2007_000027.xml", "object_index", 0L)));
        assertThat(data(person)).isEqualTo(new Document(map("type", "bbox", "label", "person",
                "bbox", List.of(17L, 2L, 18L, 37L), "pose", "Frontal", "truncated", false, "difficult", false,
                "occluded", true, "parts", List.of(
                        new Document(map("label", "head", "bbox", List.of(22L, 3L, 7L, 8L))),
                        new Document(map("label", "hand", "bbox", List.of(30.5, 20L, 4.0, 4.25)))))));
        assertThat(data(objects.get("Annotations/2007_000027.xml#1"))).isEqualTo(new Document(map("type", "bbox",
                "label", "chair", "bbox", List.of(1L, 10.5, 11L, 29.5), "pose", "Unspecified", "truncated", true,
                "difficult", true)));
        for (String twin : List.of("Annotations/2008_000123.xml#0", "Annotations/2008_000123.xml#1")) {
            assertThat(objects.get(twin).getObjectId("derived_from")).isEqualTo(minimal.getObjectId("_id"));
            assertThat(data(objects.get(twin))).isEqualTo(new Document(map("type", "bbox", "label", "dog",
                    "bbox", List.of(0L, 0L, 32L, 24L))));
        }
        fx.assertNoDuplicateKeys();
    }

    @Test
    void runningTheSameImportAgainAddsNothing() {
        Path voc = standardSet();
        Importer.of(fx.lake).importVoc(voc, fx.options().batchSize(1).build()).block();
        List<Document> before = fx.documents();

        ImportReport again = Importer.of(fx.lake).importVoc(voc, fx.options().build()).block();

        assertThat(again).isEqualTo(new ImportReport("voc", 3, 0, 3, 0, 4));
        assertThat(fx.documents()).isEqualTo(before);
    }

    @Test
    void importsXmlFilesWithTheirImagesSideBySide() {
        Path flat = copyResource("/voc/flat", temp.resolve("flat"));
        png(flat.resolve("cat.png"), 16, 12, 5);

        ImportReport report = Importer.of(fx.lake).importVoc(flat, fx.options().build()).block();

        assertThat(report).isEqualTo(new ImportReport("voc", 1, 1, 0, 1, 0));
        assertThat(source(fx.images().get(0)).getString("file")).isEqualTo("cat.xml");
        assertThat(data(fx.annotations().get(0))).isEqualTo(new Document(map("type", "bbox", "label", "cat",
                "bbox", List.of(2L, 3L, 8L, 8L), "pose", "Left", "truncated", false, "difficult", false)));
    }

    @Test
    void anExternalEntityIsRefusedNotResolved() throws Exception {
        Path xxe = copyResource("/voc/xxe", temp.resolve("xxe"));
        // Were the entity resolved, the file name would be the secret and this image would be imported.
        png(xxe.resolve("TOP-SECRET-VALUE"), 16, 12, 6);
        Path evil = xxe.toRealPath().resolve("evil.xml");

        assertThatThrownBy(() -> Importer.of(fx.lake).importVoc(xxe, fx.options().build()).block())
                .isInstanceOfSatisfying(ImportFormatException.class, e -> {
                    assertThat(e.file()).isEqualTo(evil);
                    assertThat(e.line()).isPositive();
                    assertThat(e.getMessage()).contains("DOCTYPE").doesNotContain("TOP-SECRET");
                });
        assertThat(fx.documents()).isEmpty();
    }

    static Stream<Arguments> malformed() {
        return Stream.of(
                Arguments.of("<xmin>2</xmin>", "", "object[0].bndbox.xmin"),
                Arguments.of("<xmin>2</xmin>", "<xmin>-1</xmin>", "object[0].bndbox.xmin"),
                Arguments.of("<xmin>2</xmin>", "<xmin>two</xmin>", "object[0].bndbox.xmin"),
                Arguments.of("<xmax>10</xmax>", "<xmax>1</xmax>", "object[0].bndbox.xmax"),
                Arguments.of("<truncated>0</truncated>", "<truncated>maybe</truncated>", "object[0].truncated"),
                Arguments.of("<name>cat</name>", "", "object[0].name"),
                Arguments.of("<filename>cat.png</filename>", "", "filename"),
                Arguments.of("<filename>cat.png</filename>", "<filename>../outside.png</filename>", "filename"),
                Arguments.of("<filename>cat.png</filename>", "<filename>/etc/hostname</filename>", "filename"),
                Arguments.of("<width>16</width>", "<width>0</width>", "size.width"),
                Arguments.of("<size><width>16</width><height>12</height><depth>3</depth></size>", "", "size"),
                Arguments.of("</object>", "", null));
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @MethodSource("malformed")
    void aMalformedFileFailsTypedNamingFileAndFieldAndNothingIsWritten(String from, String to, String field)
            throws Exception {
        Path flat = copyResource("/voc/flat", temp.resolve("flat"));
        png(flat.resolve("cat.png"), 16, 12, 5);
        png(temp.resolve("outside.png"), 16, 12, 8);
        // A good file read before the bad one: it is not written either.
        png(flat.resolve("aaa.png"), 16, 12, 7);
        Files.writeString(flat.resolve("aaa.xml"), Files.readString(flat.resolve("cat.xml"))
                .replace("cat.png", "aaa.png"));
        Path bad = flat.resolve("cat.xml");
        String xml = Files.readString(bad);
        assertThat(xml).contains(from);
        Files.writeString(bad, xml.replace(from, to));

        assertThatThrownBy(() -> Importer.of(fx.lake).importVoc(flat, fx.options().build()).block())
                .isInstanceOfSatisfying(ImportFormatException.class, e -> {
                    assertThat(e.file().getFileName().toString()).isEqualTo("cat.xml");
                    assertThat(e.field()).isEqualTo(field);
                    assertThat(e.getMessage()).contains("cat.xml");
                    if (field == null) {
                        assertThat(e.line()).isPositive();
                    }
                });
        assertThat(fx.documents()).isEmpty();
        assertThat(fx.registryFiles()).isEmpty();
    }

    @Test
    void aFolderWithoutAnnotationsIsAnInvalidArgument() throws Exception {
        Path none = Files.createDirectories(temp.resolve("none"));
        assertThatThrownBy(() -> Importer.of(fx.lake).importVoc(none, fx.options().build()).block())
                .isInstanceOf(io.datalake.InvalidArgumentException.class).hasMessageContaining("no VOC annotation");
        try (Stream<Path> s = Files.list(none)) {
            assertThat(s.sorted(Comparator.naturalOrder())).isEmpty();
        }
    }
}
