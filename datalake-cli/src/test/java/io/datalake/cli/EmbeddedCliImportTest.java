package io.datalake.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code import} is idempotent and resumable: a second run, or one after a crash, adds no duplicates. */
class EmbeddedCliImportTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String META = "{\"type\": \"document\", \"taken\": {\"$date\": \"2024-05-01T12:00:00Z\"}}";

    private final CliRunner cli = new CliRunner();

    @TempDir
    Path temp;

    private Path registry() {
        return temp.resolve("registry");
    }

    private JsonNode stats() throws IOException {
        return JSON.readTree(cli.run("stats", "--json").out);
    }

    private Path folder(int files) throws IOException {
        Path dir = Files.createDirectories(temp.resolve("in/sub"));
        for (int i = 0; i < files; i++) {
            Files.writeString((i % 2 == 0 ? dir : dir.getParent()).resolve("f" + i + ".txt"), "content " + i);
        }
        Files.writeString(dir.resolve("copy-of-0.txt"), "content 0");
        return dir.getParent();
    }

    private CliRunner.Result runImport(Path dir, String... extra) {
        String[] args = new String[4 + 2 + extra.length];
        args[0] = "import";
        args[1] = dir.toString();
        args[2] = "--registry";
        args[3] = registry().toString();
        args[4] = "--metadata";
        args[5] = META;
        System.arraycopy(extra, 0, args, 6, extra.length);
        return cli.run(args);
    }

    @Test
    void importingTwiceAddsNothingAndCountsTheSkippedFiles() throws IOException {
        Path dir = folder(6);
        CliRunner.Result first = runImport(dir);
        assertThat(first.code).as(first.toString()).isZero();
        assertThat(first.out).contains("imported 7 files from").doesNotContain("skipped");

        CliRunner.Result second = runImport(dir, "--json");

        assertThat(second.code).as(second.toString()).isZero();
        JsonNode entries = JSON.readTree(second.out);
        assertThat(entries).hasSize(7);
        entries.forEach(entry -> assertThat(entry.get("skipped").asBoolean()).as(entry.toString()).isTrue());
        assertThat(stats().get("datums").asLong()).isEqualTo(7);
        assertThat(runImport(dir).out).contains("imported 0 files, skipped 7 already imported");
    }

    @Test
    void anInterruptedImportCompletesWithoutDuplicates() throws IOException {
        Path dir = folder(6);
        // A crash leaves a prefix of the sorted files imported: import the first ones, then the whole folder.
        Path later = Files.move(dir.resolve("sub"), temp.resolve("later"));
        assertThat(runImport(dir).out).contains("imported 3 files");
        Files.move(later, dir.resolve("sub"));

        CliRunner.Result resumed = runImport(dir, "--json");

        assertThat(resumed.code).as(resumed.toString()).isZero();
        Set<String> skipped = new HashSet<>();
        JSON.readTree(resumed.out).forEach(e -> {
            if (e.get("skipped").asBoolean()) {
                skipped.add(e.get("path").asText());
            }
        });
        assertThat(skipped).containsExactlyInAnyOrder("f1.txt", "f3.txt", "f5.txt");
        assertThat(stats().get("datums").asLong()).isEqualTo(7);
    }

    @Test
    void aChangedFileOrOtherMetadataIsImportedAgainAndDuplicatesCanBeAllowed() throws IOException {
        Path dir = folder(2);
        runImport(dir);
        Files.writeString(dir.resolve("f1.txt"), "content changed");

        CliRunner.Result changed = runImport(dir);
        assertThat(changed.out).as(changed.toString()).contains("imported 1 file, skipped 2 already imported");

        CliRunner.Result otherMetadata = cli.run("import", dir.toString(), "--registry", registry().toString());
        assertThat(otherMetadata.out).as(otherMetadata.toString()).contains("imported 3 files from");

        CliRunner.Result duplicates = runImport(dir, "--allow-duplicates");
        assertThat(duplicates.out).as(duplicates.toString()).contains("imported 3 files from");
        assertThat(stats().get("datums").asLong()).isEqualTo(3 + 1 + 3 + 3);
    }
}
