package io.datalake.registry.gcs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.cloud.storage.Storage;
import com.google.cloud.storage.contrib.nio.testing.LocalStorageHelper;
import io.datalake.BlockingDatalake;
import io.datalake.Datalake;
import io.datalake.Datum;
import io.datalake.InvalidArgumentException;
import io.datalake.RegistrySettings;
import io.datalake.mongo.TestLakes;
import io.datalake.registry.Registries;
import io.datalake.registry.RegistryBackend;
import io.datalake.registry.conformance.RegistryBackendConformance;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The conformance kit over the GCS registry with google-cloud-nio's in-memory {@link Storage} (no GCS server can
 * run here; the registry talks only to the {@code Storage} interface, so a real client takes its place).
 */
class EmbeddedGcsRegistryConformanceTest extends RegistryBackendConformance {

    @Override
    protected RegistryBackend newBackend() {
        return GcsRegistryBackend.create(LocalStorageHelper.customOptions(false).getService(), "gs://lake-bucket/tests/");
    }

    /**
     * The in-memory {@code Storage} shows a resumable upload's bytes as an object from its first write, where real
     * GCS creates the object only when the upload is finalized (which this backend does only after the last byte).
     */
    @Override
    protected boolean failedWritesLeaveNoObject() {
        return false;
    }

    @Test
    void theInMemoryStorageKeepsCrc32cSoDeduplicationUsesIt() {
        backend.put("crc/object", io.datalake.registry.BlobSource.ofBytes(new byte[] {1, 2, 3})).block(TIMEOUT);
        assertThat(backend.stat("crc/object").block(TIMEOUT))
                .isEqualTo(new io.datalake.registry.BlobStat(3, null, "f130f21e"));
    }

    @Test
    void canonicalUriIsBucketAndPrefix() {
        assertThat(backend.uri()).isEqualTo("gs://lake-bucket/tests");
        try (Registries registries = new Registries(RegistrySettings.defaults())) {
            assertThat(registries.canonicalUri("gs://lake-bucket//tests/")).isEqualTo("gs://lake-bucket/tests");
            assertThat(registries.availableSchemes()).contains("gs");
            assertThatThrownBy(() -> registries.resolve("gs://lake-bucket/x?maxAttempts=0"))
                    .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("maxAttempts");
            assertThatThrownBy(() -> registries.resolve("gs://Not A Bucket/x"))
                    .isInstanceOf(InvalidArgumentException.class);
        }
    }

    @Test
    void aLakeStoresPayloadsInAUserSuppliedStorage() {
        Storage storage = LocalStorageHelper.customOptions(false).getService();
        RegistryBackend gcs = GcsRegistryBackend.create(storage, "gs://lake-bucket/payloads");
        try (Datalake reactive = TestLakes.newLake(s -> s.registry(RegistrySettings.builder().backend(gcs).build()))) {
            BlockingDatalake lake = reactive.blocking();
            Datum bytes = lake.addDatum(new byte[] {1, 2, 3}, null, "gs://lake-bucket/payloads", null);
            Datum json = lake.addDatum(Map.of("k", List.of(1, 2)), null, "gs://lake-bucket/payloads/", null);

            assertThat(lake.getData(List.of(bytes.id(), json.id()))).containsExactly(bytes, json);
            assertThat(json.data()).isEqualTo(Map.of("k", List.of(1, 2)));
            assertThat(storage.get("lake-bucket", "payloads/" + bytes.registryKey())).isNotNull();
        }
    }
}
