package io.datalake.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.datalake.BlockingDatalake;
import io.datalake.DatalakeSettings;
import io.datalake.Datum;
import io.datalake.cli.internal.CliContext;
import io.datalake.cli.internal.RootCommand;
import io.datalake.mongo.Datalakes;
import io.datalake.mongo.TestLakes;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.channels.FileChannel;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** Output a user reads or pastes: shown fields, help examples, payloads, and errors that say what to do. */
class EmbeddedCliOutputTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final CliRunner cli = new CliRunner();
    private final List<AutoCloseable> toClose = new ArrayList<>();

    @TempDir
    Path temp;

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable c : toClose) {
            c.close();
        }
    }

    private BlockingDatalake lake() {
        BlockingDatalake lake = Datalakes.create(DatalakeSettings.builder()
                .mongoUri(TestLakes.connectionString()).database(cli.database).build()).blocking();
        toClose.add(lake);
        return lake;
    }

    private static Map<String, Object> ordered(Object... keysAndValues) {
        Map<String, Object> map = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            map.put((String) keysAndValues[i], keysAndValues[i + 1]);
        }
        return map;
    }

    private static void assertOneLineError(CliRunner.Result result, int code, String... fragments) {
        assertThat(result.code).as(result.toString()).isEqualTo(code);
        assertThat(result.err.strip().lines()).as(result.toString()).hasSize(1);
        assertThat(result.err).contains(fragments).doesNotContain("\tat ");
    }

    private static final String LABELLED = "[{\"data.type\": \"image\", \"column\": \"image\", \"strategy\": \"earliest\"},"
            + " {\"data.type\": \"classification\", \"derived_from\": \"image\", \"column\": \"label\"}]";

    @Test
    void queryShowPrintsChosenFieldsOfEachRowsDatums() throws IOException {
        BlockingDatalake lake = lake();
        List<Datum> images = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            Datum image = lake.addDatum(ordered("type", "image"), Map.of("filename", "img_" + i + ".png"));
            images.add(image);
            lake.addDatum(ordered("type", "classification", "label", "cat, " + i), null, null, image.id());
        }
        String show = "image=metadata.filename,label=data.label";

        JsonNode json = JSON.readTree(cli.run("query", LABELLED, "--show", show, "--format", "json").out);
        assertThat(json).hasSize(3);
        assertThat(json.get(0).get("image").asText()).isEqualTo(images.get(0).id().toHexString());
        assertThat(json.get(0).get("image.metadata.filename").asText()).isEqualTo("img_0.png");
        assertThat(json.get(2).get("label.data.label").asText()).isEqualTo("cat, 2");

        CliRunner.Result table = cli.run("query", LABELLED, "--show", show, "--show", "image=data.missing");
        assertThat(table.code).as(table.toString()).isZero();
        List<String> lines = table.out.lines().collect(Collectors.toList());
        assertThat(lines.get(0)).contains("image.metadata.filename", "label.data.label", "image.data.missing");
        assertThat(lines.get(1)).contains(images.get(0).id().toHexString(), "img_0.png", "cat, 0");
        assertThat(lines).last().isEqualTo("(3 rows)");

        List<String> csv = cli.run("query", LABELLED, "--show", show, "--format", "csv").out.lines()
                .collect(Collectors.toList());
        assertThat(csv.get(0)).isEqualTo("image,label,image.metadata.filename,label.data.label");
        assertThat(csv.get(1)).endsWith(",img_0.png,\"cat, 0\"");

        assertOneLineError(cli.run("query", LABELLED, "--show", "box=data.x"), 2, "'box' is not an output column");
        assertOneLineError(cli.run("query", LABELLED, "--show", "image=colour"), 2, "must start with");
        assertOneLineError(cli.run("query", LABELLED, "--show", "image"), 2, "COLUMN=PATH");
        assertOneLineError(cli.run("query", LABELLED, "--show", show, "--transpose"), 2, "--transpose");
    }

    @Test
    void helpExamplesAreNeverWrapped() {
        CommandLine commandLine = new CommandLine(new RootCommand(new CliContext(Map.of(),
                new ByteArrayInputStream(new byte[0]), new PrintStream(OutputStream.nullOutputStream()),
                new PrintStream(OutputStream.nullOutputStream()), false, true)));
        List<CommandLine> commands = new ArrayList<>(List.of(commandLine));
        commands.addAll(commandLine.getSubcommands().values());
        int examples = 0;
        for (CommandLine command : commands) {
            String name = command.getCommandSpec().name();
            CliRunner.Result help = name.equals("datalake") ? cli.runRaw("--help") : cli.runRaw(name, "--help");
            List<String> lines = help.out.lines().collect(Collectors.toList());
            for (String example : command.getCommandSpec().usageMessage().footer()) {
                if (example.strip().startsWith("datalake ") || example.contains("| datalake")) {
                    assertThat(lines).as(name + " --help").contains(example);
                    examples++;
                }
            }
        }
        assertThat(examples).isGreaterThan(10);
    }

    @Test
    void helpNeverSplitsAUriAcrossLines() {
        for (String command : List.of("--help", "add", "get", "query", "import", "lineage", "stats", "children")) {
            CliRunner.Result help = command.equals("--help") ? cli.runRaw("--help") : cli.runRaw(command, "--help");
            assertThat(help.out.lines()).as(command + " --help")
                    .noneMatch(line -> line.strip().startsWith("//") || line.matches(".*\\b(s3|gs|file|mongodb):$"));
        }
    }

    @Test
    void aCorruptPayloadNeverReachesStandardOutputOrTheFile() throws IOException {
        Path registry = temp.resolve("reg");
        Path file = Files.write(temp.resolve("payload.bin"), "precious bytes".repeat(1000).getBytes());
        String id = cli.run("add", "--payload", file.toString(), "--registry", registry.toString()).out.strip();
        Path stored;
        try (Stream<Path> walk = Files.walk(registry)) {
            stored = walk.filter(Files::isRegularFile).findFirst().orElseThrow();
        }
        stored.toFile().setWritable(true);
        try (FileChannel channel = FileChannel.open(stored, StandardOpenOption.WRITE)) {
            channel.write(ByteBuffer.wrap(new byte[] {'X'}), 5);
        }

        CliRunner.Result toStdout = cli.run("get", id, "--payload-out", "-", "--registry", registry.toString());
        assertThat(toStdout.code).as(toStdout.toString()).isEqualTo(1);
        assertThat(toStdout.out).isEmpty();
        assertThat(toStdout.err).contains("corrupt");

        Path target = temp.resolve("out/back.bin");
        Files.createDirectories(target.getParent());
        CliRunner.Result toFile = cli.run("get", id, "--payload-out", target.toString(), "--registry",
                registry.toString());
        assertThat(toFile.code).as(toFile.toString()).isEqualTo(1);
        try (Stream<Path> left = Files.list(target.getParent())) {
            assertThat(left).as("neither the file nor a temporary file is left").isEmpty();
        }
    }

    @Test
    void payloadOutWritesIntoAPipeOrDeviceInsteadOfReplacingIt() throws Exception {
        Path registry = temp.resolve("reg");
        Path file = Files.writeString(temp.resolve("x.txt"), "through the pipe");
        String id = cli.run("add", "--payload", file.toString(), "--registry", registry.toString()).out.strip();
        Path fifo = temp.resolve("fifo");
        // A FIFO stands for /dev/null and friends, which a test must not risk replacing.
        org.junit.jupiter.api.Assumptions.assumeTrue(
                new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor() == 0, "mkfifo is available");
        java.util.concurrent.CompletableFuture<byte[]> read = java.util.concurrent.CompletableFuture.supplyAsync(
                () -> {
                    try {
                        return Files.readAllBytes(fifo);
                    } catch (IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                });

        CliRunner.Result result = cli.run("get", id, "--payload-out", fifo.toString(), "--registry",
                registry.toString());

        assertThat(result.code).as(result.toString()).isZero();
        assertThat(Files.isRegularFile(fifo, java.nio.file.LinkOption.NOFOLLOW_LINKS))
                .as("the pipe is still a pipe").isFalse();
        assertThat(new String(read.get(30, java.util.concurrent.TimeUnit.SECONDS))).isEqualTo("through the pipe");
        try (Stream<Path> left = Files.list(temp)) {
            assertThat(left.map(p -> p.getFileName().toString())).noneMatch(n -> n.endsWith(".part"));
        }
    }

    @Test
    void payloadOutKeepsTheFilesPermissionsAndWritesThroughASymbolicLink() throws IOException {
        Path registry = temp.resolve("reg");
        Path file = Files.writeString(temp.resolve("x.txt"), "shared");
        String id = cli.run("add", "--payload", file.toString(), "--registry", registry.toString()).out.strip();
        Path out = temp.resolve("out");
        Files.createDirectories(out);
        org.junit.jupiter.api.Assumptions.assumeTrue(
                Files.getFileStore(out).supportsFileAttributeView("posix"), "a POSIX file system");
        Path reference = Files.createFile(out.resolve("reference"));

        Path fresh = out.resolve("fresh.bin");
        assertThat(cli.run("get", id, "--payload-out", fresh.toString(), "--registry", registry.toString()).code).isZero();
        assertThat(Files.getPosixFilePermissions(fresh)).as("the permissions any new file gets here")
                .isEqualTo(Files.getPosixFilePermissions(reference));

        Path existing = Files.writeString(out.resolve("existing.bin"), "old");
        Files.setPosixFilePermissions(existing, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r-----"));
        assertThat(cli.run("get", id, "--payload-out", existing.toString(), "--registry", registry.toString()).code).isZero();
        assertThat(Files.readString(existing)).isEqualTo("shared");
        assertThat(java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(existing)))
                .isEqualTo("rw-r-----");

        Path link = Files.createSymbolicLink(out.resolve("link.bin"), existing);
        Files.writeString(existing, "old");
        assertThat(cli.run("get", id, "--payload-out", link.toString(), "--registry", registry.toString()).code).isZero();
        assertThat(Files.isSymbolicLink(link)).as("the link is kept").isTrue();
        assertThat(Files.readString(existing)).isEqualTo("shared");
    }

    @Test
    void errorsAboutFilesAndSettingsSayWhatIsWrongAndWhatToDo() throws IOException {
        Path registry = temp.resolve("reg");
        Path file = Files.writeString(temp.resolve("x.txt"), "x");
        String id = cli.run("add", "--payload", file.toString(), "--registry", registry.toString()).out.strip();

        Path dir = Files.createDirectories(temp.resolve("outdir"));
        assertOneLineError(cli.run("get", id, "--payload-out", dir.toString()), 2, "is a directory",
                "give a file path such as " + dir.resolve(id + ".bin"));
        CliRunner.Result missing = cli.run("get", id, "--payload-out", temp.resolve("nope/x.txt").toString());
        assertOneLineError(missing, 2, "does not exist", "mkdir -p " + temp.resolve("nope"));
        assertThat(missing.err).doesNotContain(".part");

        CliRunner.Result uri = cli.runRaw("stats", "--mongo-uri", "mongodb://localhost:1/?serverSelectionTimeoutMS=abc");
        assertOneLineError(uri, 2, "serverSelectionTimeoutMS", "--mongo-uri");
        assertThat(uri.err).doesNotContain("DatalakeSettings{");

        if (Files.exists(Path.of("/dev/null"))) {
            assertOneLineError(cli.run("add", "--payload", "/dev/null", "--registry", registry.toString()), 2,
                    "/dev/null is not a regular file", "copy its bytes into a file");
        }
        assertOneLineError(cli.run("add", "--payload", temp.resolve("absent").toString(), "--registry",
                registry.toString()), 2, "no such file");
        assertOneLineError(cli.run("add", "--payload", dir.toString(), "--registry", registry.toString()), 2,
                "is a directory", "datalake import");
    }

    @Test
    void payloadContentTypesAreDetectedOrGiven() throws IOException {
        Path registry = temp.resolve("reg");
        Path png = Files.write(temp.resolve("a.png"), Images.png());
        Path jpeg = Files.write(temp.resolve("b.jpg"), Images.jpeg());
        Path text = Files.writeString(temp.resolve("c.dat"), "{\"looks\": \"like JSON\"}");

        assertThat(contentType(cli.run("add", "--payload", png.toString(), "--registry", registry.toString())))
                .isEqualTo("image/png");
        assertThat(contentType(cli.run("add", "--payload", jpeg.toString(), "--registry", registry.toString())))
                .isEqualTo("image/jpeg");
        assertThat(contentType(cli.run("add", "--payload", text.toString(), "--registry", registry.toString())))
                .isEqualTo("text/plain");
        assertThat(contentType(cli.run("add", "--payload", png.toString(), "--registry", registry.toString(),
                "--content-type", "image/x-test; v=1"))).isEqualTo("image/x-test; v=1");

        assertOneLineError(cli.run("add", "--payload", png.toString(), "--registry", registry.toString(),
                "--content-type", "not a type"), 2, "not a media type");
        assertOneLineError(cli.run("add", "--payload", png.toString(), "--registry", registry.toString(),
                "--content-type", "application/json"), 2, "reserved");
        assertOneLineError(cli.run("add", "{}", "--content-type", "image/png"), 2, "--payload");
    }

    private String contentType(CliRunner.Result added) throws IOException {
        assertThat(added.code).as(added.toString()).isZero();
        return JSON.readTree(cli.run("get", added.out.strip()).out).get("payload").get("content_type").asText();
    }
}
