package io.datalake.registry.file;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.datalake.Datalake;
import io.datalake.DatalakeSettings;
import io.datalake.Datum;
import io.datalake.NewDatum;
import io.datalake.RegistryNotAllowedException;
import io.datalake.RegistrySettings;
import io.datalake.mongo.Datalakes;
import io.datalake.mongo.TestLakes;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Date;
import java.util.HexFormat;
import java.util.List;
import org.bson.Document;
import org.bson.types.ObjectId;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.publisher.Mono;

/**
 * Stored documents are untrusted: a {@code registry_uri} written by another client reads nothing, creates nothing
 * and contacts nothing unless the reading lake allows that registry.
 */
class EmbeddedStoredRegistryTrustTest {
    @TempDir
    Path dir;

    /** Inserts a datum document the way a foreign client could, naming any registry and key. */
    private static ObjectId insertForeign(Datalake lake, String registryUri, String key, byte[] claimed)
            throws Exception {
        ObjectId id = new ObjectId();
        Document doc = new Document("_id", id).append("data", null).append("registry_uri", registryUri)
                .append("registry_key", key).append("derived_from", null).append("metadata", new Document())
                .append("added_at", new Date())
                .append("payload", new Document("content_type", "application/octet-stream")
                        .append("size", (long) claimed.length).append("sha256", sha256(claimed)));
        Mono.from(TestLakes.documents(lake).insertOne(doc)).block();
        return id;
    }

    private static String sha256(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }

    /** Writes a valid content-addressed object, so only the allow-list can stop a read of it. */
    private static String plantObject(Path root, byte[] bytes) throws Exception {
        String sha = sha256(bytes);
        String key = sha.substring(0, 2) + "/" + sha.substring(2, 4) + "/" + sha;
        Files.createDirectories(root.resolve(key).getParent());
        Files.write(root.resolve(key), bytes);
        return key;
    }

    @Test
    void aForeignDocumentNamingAnotherDirectoryGetsATypedErrorAndReadsNothing() throws Exception {
        byte[] secret = "root:x:0:0:root:/root:/bin/bash\n".getBytes(StandardCharsets.UTF_8);
        Path outside = dir.resolve("outside");
        String key = plantObject(outside, secret);
        try (Datalake lake = TestLakes.newLake(s -> s.registry(RegistrySettings.builder()
                .defaultRegistry(dir.resolve("lake-payloads").toString()).build()))) {
            ObjectId id = insertForeign(lake, outside.toUri().toString(), key, secret);

            assertThatThrownBy(() -> lake.getDatum(id).block())
                    .isInstanceOf(RegistryNotAllowedException.class)
                    .hasMessageContaining(id.toString())
                    .hasMessageContaining(outside.toString());
            assertThatThrownBy(() -> lake.getData(List.of(id)).blockLast())
                    .isInstanceOf(RegistryNotAllowedException.class);
            assertThatThrownBy(() -> lake.getPayload(id).blockLast())
                    .isInstanceOf(RegistryNotAllowedException.class);
            // The datum itself stays readable without its payload.
            assertThat(lake.getDatum(id, false).block().registryUri()).isEqualTo(outside.toUri().toString());

            ObjectId passwd = insertForeign(lake, "/etc", "passwd", secret);
            assertThatThrownBy(() -> lake.getDatum(passwd).block())
                    .isInstanceOf(RegistryNotAllowedException.class).hasMessageContaining("registry /etc ");
        }
    }

    @Test
    void aForeignDocumentNamingAMissingDirectoryCreatesNothing() throws Exception {
        Path never = dir.resolve("never").resolve("created");
        try (Datalake lake = TestLakes.newLake()) {
            ObjectId id = insertForeign(lake, never.toString(), "ab/cd/" + "0".repeat(64), new byte[1]);
            assertThatThrownBy(() -> lake.getDatum(id).block()).isInstanceOf(RegistryNotAllowedException.class);
        }
        assertThat(dir.resolve("never")).doesNotExist();
    }

    @Test
    void anotherLakeReadsARegistryOnlyOnceItAllowsIt() throws Exception {
        Path registry = dir.resolve("shared");
        byte[] image = "pixels".getBytes(StandardCharsets.UTF_8);
        DatalakeSettings settings = TestLakes.freshSettings().build();
        ObjectId id;
        try (Datalake writer = Datalakes.create(settings)) {
            // A registry URI passed in code is trusted: the lake that wrote there reads it back.
            Datum written = writer.addDatum(NewDatum.builder().data(image).registryUri(registry.toString()).build())
                    .block();
            id = written.id();
            assertThat((byte[]) writer.getDatum(id).block().data()).isEqualTo(image);
        }
        try (Datalake stranger = Datalakes.create(settings)) {
            assertThatThrownBy(() -> stranger.getDatum(id).block()).isInstanceOf(RegistryNotAllowedException.class);
        }
        // Allowed under another spelling of the same directory: the canonical forms match.
        String spelledOtherwise = registry.resolve("..").resolve(registry.getFileName()).toString();
        try (Datalake reader = Datalakes.create(settings.toBuilder()
                .registry(RegistrySettings.builder().allow(spelledOtherwise).build()).build())) {
            assertThat((byte[]) reader.getDatum(id).block().data()).isEqualTo(image);
            assertThat(reader.getData(List.of(id)).blockLast().data()).isEqualTo(image);
        }
    }

    @Test
    void aForeignKeyThatCouldLeaveItsRegistryIsAMalformedDatumNotTheReadersBadInput() throws Exception {
        Path registry = dir.resolve("reg");
        byte[] secret = "secret".getBytes(StandardCharsets.UTF_8);
        String key = plantObject(dir.resolve("outside"), secret);
        try (Datalake lake = TestLakes.newLake(s -> s.registry(RegistrySettings.builder()
                .defaultRegistry(registry.toString()).build()))) {
            for (String bad : List.of("../outside/" + key, dir.resolve("outside").resolve(key).toString(),
                    "ab\\..\\..\\x", "ab/\u0000/cd", "a/".repeat(600) + "b")) {
                ObjectId id = insertForeign(lake, registry.toString(), bad, secret);
                assertThatThrownBy(() -> lake.getDatum(id).block()).as(bad)
                        .isInstanceOf(io.datalake.MalformedDatumException.class)
                        .hasMessageContaining(id.toString()).hasMessageContaining("registry_key");
                assertThatThrownBy(() -> lake.getPayload(id).blockLast()).as(bad)
                        .isInstanceOf(io.datalake.MalformedDatumException.class);
            }
        }
    }
}
