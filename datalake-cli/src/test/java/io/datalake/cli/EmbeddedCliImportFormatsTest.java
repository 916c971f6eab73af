package io.datalake.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code datalake import coco|voc} next to the folder import {@code datalake import DIR}: how the command line
 * tells them apart, and the arguments it refuses before opening the lake.
 */
class EmbeddedCliImportFormatsTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String COCO = "{\"images\": ["
            + "{\"id\": 1, \"file_name\": \"a.png\", \"width\": 16, \"height\": 8},"
            + " {\"id\": 2, \"file_name\": \"b.jpg\", \"width\": 16, \"height\": 8}],"
            + " \"categories\": [{\"id\": 1, \"name\": \"cat\"}, {\"id\": 2, \"name\": \"dog\"}],"
            + " \"annotations\": ["
            + "{\"id\": 10, \"image_id\": 1, \"category_id\": 1, \"bbox\": [1, 2, 3, 4]},"
            + " {\"id\": 11, \"image_id\": 1, \"category_id\": 2, \"bbox\": [0, 0, 5, 5]},"
            + " {\"id\": 12, \"image_id\": 2, \"category_id\": 2, \"bbox\": [2, 2, 4, 4]}]}";
    private static final String BOXES = "[{\"metadata.project\": \"street\", \"column\": \"image\"},"
            + " {\"data.type\": \"bbox\", \"derived_from\": \"image\", \"column\": \"box\"}]";
    private final CliRunner cli = new CliRunner();

    @TempDir
    Path temp;

    private static void assertOneLineError(CliRunner.Result result, int code, String... fragments) {
        assertThat(result.code).as(result.toString()).isEqualTo(code);
        assertThat(result.err.strip().lines()).as(result.toString()).hasSize(1);
        assertThat(result.err).as(result.toString()).contains(fragments).doesNotContain("\tat ");
    }

    private String registry() {
        return temp.resolve("reg").toString();
    }

    /** A COCO set: two images in {@code images/}, three boxes, the annotation file beside or inside the folder. */
    private Path cocoSet(boolean jsonInsideImages) throws IOException {
        Path images = Files.createDirectories(temp.resolve("images"));
        Files.write(images.resolve("a.png"), Images.png());
        Files.write(images.resolve("b.jpg"), Images.jpeg());
        return Files.writeString((jsonInsideImages ? images : temp).resolve("instances.json"), COCO);
    }

    private long datums() throws IOException {
        return JSON.readTree(cli.run("stats", "--json").out).get("datums").asLong();
    }

    @Test
    void importsACocoFileAndARerunSkipsWhatIsThere() throws IOException {
        Path json = cocoSet(false);
        String images = temp.resolve("images").toString();

        CliRunner.Result first = cli.run("import", "coco", json.toString(), "--images", images, "--registry",
                registry(), "--metadata", "{\"project\": \"street\"}");

        assertThat(first.code).as(first.toString()).isZero();
        assertThat(first.out.strip()).as(first.toString()).isEqualTo("imported 2 images and 3 annotations from "
                + json + " (1 file) into " + registry());
        // Not a terminal: a line per tenth of the images, the total known once the file is checked.
        assertThat(first.err).contains("imported 2/2 images, 3 annotations");
        assertThat(datums()).isEqualTo(5);
        // Each image with its latest box: the images carry --metadata, the boxes derive from them.
        CliRunner.Result boxes = cli.run("query", BOXES, "--format", "jsonl", "--show", "box=data.label");
        assertThat(boxes.out.strip().lines()).as(boxes.toString()).hasSize(2)
                .allMatch(line -> line.contains("\"box.data.label\":\"dog\""));

        CliRunner.Result again = cli.run("import", "coco", json.toString(), "--images", images, "--registry",
                registry(), "--metadata", "{\"project\": \"street\"}", "--json");

        assertThat(again.code).as(again.toString()).isZero();
        JsonNode report = JSON.readTree(again.out);
        assertThat(report.get("images_added").asLong()).isZero();
        assertThat(report.get("images_skipped").asLong()).isEqualTo(2);
        assertThat(report.get("annotations_added").asLong()).isZero();
        assertThat(report.get("annotations_skipped").asLong()).isEqualTo(3);
        assertThat(datums()).isEqualTo(5);
    }

    @Test
    void theImagesOfACocoFileAreFoundBesideItByDefault() throws IOException {
        Path json = cocoSet(true);

        CliRunner.Result result = cli.run("import", "coco", json.toString(), "--registry", registry());

        assertThat(result.code).as(result.toString()).isZero();
        assertThat(result.out).startsWith("imported 2 images and 3 annotations from ");
    }

    @Test
    void aMalformedCocoFileIsRefusedNamingTheFieldAndNothingIsWritten() throws IOException {
        Path json = cocoSet(false);
        Files.writeString(json, COCO.replace("\"image_id\": 2", "\"image_id\": 99"));

        CliRunner.Result result = cli.run("import", "coco", json.toString(), "--images",
                temp.resolve("images").toString(), "--registry", registry());

        assertOneLineError(result, 2, "instances.json", "99");
        assertThat(datums()).isZero();
        assertOneLineError(cli.run("import", "coco", json.toString(), "--registry", registry(), "--metadata",
                "{\"source\": \"mine\"}"), 2, "--metadata", "'source'");
    }

    @Test
    void importsAPascalVocFolder() throws IOException {
        Path voc = Files.createDirectories(temp.resolve("voc"));
        Files.write(voc.resolve("cat.png"), Images.png());
        Files.writeString(voc.resolve("cat.xml"), "<annotation><filename>cat.png</filename>"
                + "<size><width>16</width><height>8</height><depth>3</depth></size>"
                + "<object><name>cat</name><bndbox><xmin>2</xmin><ymin>1</ymin><xmax>10</xmax><ymax>7</ymax>"
                + "</bndbox></object></annotation>");

        CliRunner.Result result = cli.run("import", "voc", voc.toString(), "--registry", registry(), "--metadata",
                "{\"project\": \"street\"}");

        assertThat(result.code).as(result.toString()).isZero();
        assertThat(result.out.strip()).isEqualTo("imported 1 image and 1 annotation from " + voc + " (1 file) into "
                + registry());
        CliRunner.Result box = cli.run("query", BOXES, "--format", "jsonl", "--show", "box=data.bbox");
        assertThat(box.out).as(box.toString()).contains("\"box.data.bbox\":[2,1,8,6]");
    }

    @Test
    void cocoAndVocAreSubcommandsAndTheirArgumentsAreChecked() throws IOException {
        Path json = Files.writeString(temp.resolve("instances.json"), "{}");

        assertOneLineError(cli.run("import", "coco", temp.resolve("missing.json").toString(), "--registry",
                registry()), 2, "import coco", "missing.json", "not a file");
        assertOneLineError(cli.run("import", "coco", "--registry", registry()), 2, "ANNOTATIONS.json");
        assertOneLineError(cli.run("import", "coco", json.toString(), "--images", temp.resolve("nope").toString(),
                "--registry", registry()), 2, "--images", "nope", "not a directory");
        assertOneLineError(cli.run("import", "coco", json.toString()), 2, "import coco", "--registry",
                "DATALAKE_REGISTRY");
        assertOneLineError(cli.run("import", "coco", json.toString(), "--registry", registry(), "--batch-size",
                "0"), 2, "--batch-size 0");
        assertOneLineError(cli.run("import", "coco", json.toString(), "--registry", registry(), "--metadata",
                "[1]"), 2, "--metadata", "JSON object");
        assertOneLineError(cli.run("import", "voc", json.toString(), "--registry", registry()), 2, "import voc",
                "not a directory");
        assertOneLineError(cli.run("import", "voc", "--registry", registry()), 2, "DIR");
    }

    @Test
    void theFolderImportStillTakesADirectoryAndAFolderNamedCocoAsAPath() throws IOException {
        Path coco = Files.createDirectories(temp.resolve("coco"));
        Files.writeString(coco.resolve("a.txt"), "a");
        Files.writeString(coco.resolve("b.txt"), "b");

        CliRunner.Result result = cli.run("import", coco.toString(), "--registry", registry());

        assertThat(result.code).as(result.toString()).isZero();
        assertThat(result.out).contains("imported 2 files from " + coco);
        assertOneLineError(cli.run("import", "--registry", registry()), 2, "missing DIR", "import coco");
    }

    @Test
    void helpListsTheSubcommandsAndHowToImportAFolderNamedCoco() {
        CliRunner.Result help = cli.runRaw("import", "--help");

        assertThat(help.code).isZero();
        assertThat(help.out).contains("coco", "voc", "datalake import coco annotations/instances_val2017.json",
                "datalake import ./coco");
        for (String format : new String[] {"coco", "voc"}) {
            CliRunner.Result sub = cli.runRaw("import", format, "--help");
            assertThat(sub.code).as(format).isZero();
            assertThat(sub.out).as(format).contains("Usage: datalake import " + format, "Examples:", "--metadata",
                    "--batch-size");
        }
    }
}
