package io.datalake.registry.file;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.datalake.Datalake;
import io.datalake.Datum;
import io.datalake.DatumValidationException;
import io.datalake.NewDatum;
import io.datalake.PayloadInfo;
import io.datalake.RegistrySettings;
import io.datalake.mongo.TestLakes;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.bson.types.ObjectId;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** How payload values are encoded and guarded: types kept on offload, lossless POJOs, document size, streams. */
class EmbeddedPayloadEncodingTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final int MIB = 1024 * 1024;

    @TempDir
    Path dir;

    private final List<Datalake> lakes = new ArrayList<>();

    @AfterEach
    void closeLakes() {
        lakes.forEach(Datalake::close);
    }

    private Datalake lake(Consumer<RegistrySettings.Builder> registry) {
        RegistrySettings.Builder b = RegistrySettings.builder();
        registry.accept(b);
        Datalake lake = TestLakes.newLake(s -> s.registry(b.build()));
        lakes.add(lake);
        return lake;
    }

    private static long documentCount(Datalake lake) {
        return Mono.from(TestLakes.documents(lake).countDocuments()).block(TIMEOUT);
    }

    private static long filesUnder(Path root) throws IOException {
        if (!Files.exists(root)) {
            return 0;
        }
        try (Stream<Path> files = Files.walk(root)) {
            return files.filter(Files::isRegularFile).count();
        }
    }

    @Test
    void oversizedInlineValueMovedToTheDefaultRegistryKeepsEveryType() {
        Datalake lake = lake(r -> r.inlineLimitBytes(1024).defaultRegistry(dir.resolve("default").toString()));
        Map<String, Object> value = new LinkedHashMap<>();
        value.put("at", Instant.parse("2024-05-06T07:08:09.123Z"));
        value.put("id", new ObjectId());
        value.put("bytes", new byte[] {0, 1, 2, (byte) 255});
        value.put("decimal", new BigDecimal("12345678901234567890.000123"));
        value.put("count", 9_007_199_254_740_993L);
        value.put("small", 7);
        value.put("nested", List.of(Map.of("when", Instant.EPOCH), 2.5, "text"));
        value.put("filler", "x".repeat(5000));

        Datum added = lake.addDatum(NewDatum.of(value, Map.of("kind", "big"))).block(TIMEOUT);
        Datum read = lake.getDatum(added.id()).block(TIMEOUT);

        assertThat(added.registryUri()).as("moved out of MongoDB").isNotNull();
        assertThat(added.payload().contentType()).isEqualTo(PayloadInfo.BSON);
        assertThat(read).isEqualTo(added);
        Map<?, ?> data = (Map<?, ?>) read.data();
        assertThat(data.get("at")).isEqualTo(value.get("at"));
        assertThat(data.get("id")).isEqualTo(value.get("id"));
        assertThat((byte[]) data.get("bytes")).isEqualTo((byte[]) value.get("bytes"));
        assertThat(data.get("decimal")).isEqualTo(value.get("decimal"));
        assertThat(data.get("count")).isInstanceOf(Long.class).isEqualTo(value.get("count"));
        assertThat(data.get("small")).isEqualTo(7);
        assertThat(data.get("nested")).isEqualTo(value.get("nested"));
        assertThat(data.get("filler")).isEqualTo(value.get("filler"));
        assertThat(read.metadata()).containsEntry("kind", "big");
    }

    /** A POJO with no properties: Jackson would write {} and lose whatever state it holds. */
    static final class Opaque {
        private final int secretState = 42;

        @Override
        public String toString() {
            return "Opaque" + secretState;
        }
    }

    @Test
    void pojoWithoutPropertiesIsRefusedNotStoredAsAnEmptyObject() throws IOException {
        Datalake lake = lake(r -> { });
        Path registry = dir.resolve("reg");

        assertThatThrownBy(() -> lake.addDatum(NewDatum.builder().data(new Opaque())
                        .registryUri(registry.toString()).build()).block(TIMEOUT))
                .isInstanceOf(DatumValidationException.class)
                .hasMessageContaining(Opaque.class.getName());
        assertThat(documentCount(lake)).isZero();
        assertThat(filesUnder(registry)).isZero();
    }

    @Test
    void metadataTooLargeForAMongoDocumentIsRefusedBeforeThePayloadIsWritten() throws IOException {
        Datalake lake = lake(r -> { });
        Path registry = dir.resolve("reg");
        Map<String, Object> metadata = Map.of("notes", "m".repeat(16 * MIB));

        assertThatThrownBy(() -> lake.addDatum(NewDatum.builder().data(new byte[] {1, 2, 3}).metadata(metadata)
                        .registryUri(registry.toString()).build()).block(TIMEOUT))
                .isInstanceOf(DatumValidationException.class)
                .hasMessageContaining("metadata")
                .hasMessageContaining("document limit");
        assertThat(documentCount(lake)).isZero();
        assertThat(filesUnder(registry)).as("no payload written").isZero();
    }

    @Test
    void inlineDataUnderItsLimitButTooLargeWithTheMetadataIsRefusedWithoutDefaultRegistry() {
        Datalake lake = lake(r -> r.inlineLimitBytes(RegistrySettings.MAX_INLINE_LIMIT_BYTES));
        NewDatum datum = NewDatum.of(Map.of("text", "d".repeat(10 * MIB)), Map.of("notes", "m".repeat(7 * MIB)));

        assertThatThrownBy(() -> lake.addDatum(datum).block(TIMEOUT))
                .isInstanceOf(DatumValidationException.class)
                .hasMessageContaining("document limit");
        assertThatThrownBy(() -> lake.addData(Flux.just(NewDatum.of("ok", null), datum)).blockLast(TIMEOUT))
                .isInstanceOf(DatumValidationException.class);
        assertThat(documentCount(lake)).isZero();
    }

    @Test
    void inlineDataTooLargeWithTheMetadataGoesToTheDefaultRegistry() {
        Datalake lake = lake(r -> r.inlineLimitBytes(RegistrySettings.MAX_INLINE_LIMIT_BYTES)
                .defaultRegistry(dir.resolve("default").toString()));
        Map<String, Object> data = Map.of("text", "d".repeat(10 * MIB));

        Datum added = lake.addDatum(NewDatum.of(data, Map.of("notes", "m".repeat(7 * MIB)))).block(TIMEOUT);

        assertThat(added.registryUri()).isNotNull();
        assertThat(lake.getDatum(added.id()).block(TIMEOUT).data()).isEqualTo(data);
    }

    @Test
    void aStreamIsStoredOnceAndASecondSubscriptionFailsInsteadOfStoringNothing() {
        Datalake lake = lake(r -> { });
        byte[] bytes = "streamed once".getBytes(StandardCharsets.UTF_8);
        Mono<Datum> add = lake.addDatum(NewDatum.builder().data(new ByteArrayInputStream(bytes))
                .registryUri(dir.resolve("reg").toString()).build());

        Datum first = add.block(TIMEOUT);

        assertThat(lake.getDatum(first.id()).block(TIMEOUT).data()).isEqualTo(bytes);
        assertThatThrownBy(() -> add.block(TIMEOUT))
                .isInstanceOf(DatumValidationException.class)
                .hasMessageContaining("already read");
        assertThat(documentCount(lake)).isEqualTo(1);
    }
}
