package io.datalake.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.datalake.registry.BlobSource;
import io.datalake.registry.ContentAddressedRegistry;
import io.datalake.registry.Registries;
import io.datalake.RegistrySettings;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code datalake gc}: dry run, grace period, summary table and JSON, exit codes. */
class EmbeddedGcCliTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final CliRunner cli = new CliRunner();

    @TempDir
    Path temp;

    /** Stores bytes under their hash with no datum referencing them, written {@code age} ago. */
    private Path orphan(Path registry, String content, Duration age) throws IOException {
        try (Registries registries = new Registries(RegistrySettings.defaults())) {
            String key = Objects.requireNonNull(new ContentAddressedRegistry(registries.resolve(registry.toString()))
                    .put(BlobSource.ofBytes(content.getBytes(StandardCharsets.UTF_8))).block()).key();
            Path file = registry.resolve(key);
            Files.setLastModifiedTime(file, FileTime.from(Instant.now().minus(age)));
            return file;
        }
    }

    @Test
    void gcDeletesOldUnreferencedObjectsAfterADryRunThatDeletesNothing() throws IOException {
        Path registry = temp.resolve("registry");
        Path payload = Files.writeString(temp.resolve("kept.txt"), "referenced");
        String id = cli.run("add", "--payload", payload.toString(), "--registry", registry.toString()).out.strip();
        try (java.util.stream.Stream<Path> files = Files.walk(registry)) {
            // The referenced object is old too: it is kept because a datum references it, not for its age.
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                Files.setLastModifiedTime(file, FileTime.from(Instant.now().minus(Duration.ofDays(3))));
            }
        }
        Path old = orphan(registry, "two days old", Duration.ofDays(2));
        Path recent = orphan(registry, "an hour old", Duration.ofHours(1));

        CliRunner.Result dry = cli.run("gc", "--dry-run", "--registry", registry.toString());
        assertThat(dry.code).as(dry.toString()).isZero();
        assertThat(dry.out).contains("would delete").contains("would delete 1 objects");
        assertThat(old).exists();

        CliRunner.Result gc = cli.run("gc", "--registry", registry.toString());
        assertThat(gc.code).as(gc.toString()).isZero();
        assertThat(gc.out).contains("deleted 1 objects").contains(registry.toUri().toString().replaceAll("/$", ""));
        assertThat(old).doesNotExist();
        assertThat(recent).exists();

        CliRunner.Result zero = cli.run("gc", "--grace", "30m", "--json", "--registry", registry.toString());
        assertThat(zero.code).as(zero.toString()).isZero();
        JsonNode report = JSON.readTree(zero.out);
        assertThat(report.get("deleted").asLong()).isEqualTo(1);
        assertThat(report.get("grace_seconds").asLong()).isEqualTo(1800);
        assertThat(report.get("registries").get(0).get("referenced").asLong()).isEqualTo(1);
        assertThat(recent).doesNotExist();
        assertThat(cli.run("get", id, "--payload-out", "-", "--registry", registry.toString()).out)
                .isEqualTo("referenced");
    }

    @Test
    void aBadGraceIsAUsageErrorNamingIt() {
        for (String bad : new String[] {"-5m", "soon"}) {
            CliRunner.Result result = cli.run("gc", "--grace", bad);
            assertThat(result.code).as(result.toString()).isEqualTo(2);
            assertThat(result.err.strip().lines()).hasSize(1);
            assertThat(result.err).contains(bad).contains("--grace").doesNotContain("\tat ");
        }
    }
}
