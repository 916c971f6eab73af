package io.datalake.cli;

import static org.assertj.core.api.Assertions.assertThat;

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
