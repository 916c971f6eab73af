package io.datalake.registry.s3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.datalake.BlockingDatalake;
import io.datalake.Datalake;
import io.datalake.Datum;
import io.datalake.RegistryException;
import io.datalake.RegistrySettings;
import io.datalake.mongo.TestLakes;
import io.datalake.registry.Registries;
import io.datalake.registry.RegistryBackend;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

/**
 * Uploads through a proxy that cuts connections or answers 500 mid-upload: a datum is either fully stored, with a
 * payload that reads back intact, or not stored at all.
 */
class S3FaultIT {
    private static final Duration TIMEOUT = Duration.ofSeconds(120);
    private static final AtomicInteger PREFIXES = new AtomicInteger();
    private static final long THRESHOLD = 1024 * 1024;

    private static byte[] payload(int size, long seed) {
        byte[] bytes = new byte[size];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }

    private static long datumCount(Datalake lake) {
        return Mono.from(TestLakes.documents(lake).countDocuments()).block(TIMEOUT);
    }

    /** Direct view of the registry, bypassing the proxy. */
    private static RegistryBackend direct(Registries registries, String prefix) {
        return registries.resolve(S3TestServer.registryUri(S3TestServer.endpoint(), prefix));
    }

    private static void assertStoredWhole(BlockingDatalake lake, Datum datum, byte[] payload) {
        assertThat(lake.getDatum(datum.id()).data()).isEqualTo(payload);
    }

    @Test
    void aDroppedUploadIsRetriedAndTheDatumIsFullyStored() throws Exception {
        String prefix = "faults-" + PREFIXES.incrementAndGet();
        byte[] payload = payload(3 * 1024 * 1024, 1);
        try (FaultyProxy proxy = new FaultyProxy(S3TestServer.endpoint(), THRESHOLD, FaultyProxy.Fault.DROP, 1);
                Datalake lake = TestLakes.newLake(s -> s.registry(S3RegistryConformanceIT.settings()))) {
            Datum datum = lake.blocking().addDatum(payload, null, S3TestServer.registryUri(proxy.endpoint(), prefix),
                    null);
            assertThat(proxy.faultsInjected()).isEqualTo(1);
            assertStoredWhole(lake.blocking(), datum, payload);
            assertThat(datumCount(lake)).isEqualTo(1);
        }
    }

    @Test
    void serverErrorsDuringAMultipartUploadAreRetried() throws Exception {
        String prefix = "faults-" + PREFIXES.incrementAndGet();
        byte[] payload = payload(12 * 1024 * 1024, 2);
        try (FaultyProxy proxy = new FaultyProxy(S3TestServer.endpoint(), THRESHOLD, FaultyProxy.Fault.HTTP_500, 2);
                Datalake lake = TestLakes.newLake(s -> s.registry(S3RegistryConformanceIT.settings()))) {
            Datum datum = lake.blocking().addDatum(payload, null, S3TestServer.registryUri(proxy.endpoint(), prefix),
                    null);
            assertThat(proxy.faultsInjected()).isEqualTo(2);
            assertStoredWhole(lake.blocking(), datum, payload);
        }
    }

    @Test
    void persistentFailuresStoreNeitherDatumNorPartialObject() throws Exception {
        for (FaultyProxy.Fault fault : FaultyProxy.Fault.values()) {
            for (int size : new int[] {3 * 1024 * 1024, 12 * 1024 * 1024}) {
                String prefix = "faults-" + PREFIXES.incrementAndGet();
                try (FaultyProxy proxy = new FaultyProxy(S3TestServer.endpoint(), THRESHOLD, fault, Integer.MAX_VALUE);
                        Datalake lake = TestLakes.newLake(s -> s.registry(S3RegistryConformanceIT.settings()));
                        Registries registries = new Registries(S3RegistryConformanceIT.settings())) {
                    byte[] payload = payload(size, size);
                    assertThatThrownBy(() -> lake.blocking().addDatum(payload, null,
                                    S3TestServer.registryUri(proxy.endpoint(), prefix), null))
                            .as("%s of %d bytes", fault, size)
                            .isInstanceOf(RegistryException.class)
                            .hasMessageContaining("s3://lake/" + prefix);
                    assertThat(datumCount(lake)).isZero();
                    assertThat(direct(registries, prefix).list("").collectList().block(TIMEOUT))
                            .as("no partial object is visible").isEmpty();
                }
            }
        }
    }

    @Test
    void persistentConnectionDropsAndServerErrorsReachTheCallerAsTransient() throws Exception {
        for (FaultyProxy.Fault fault : FaultyProxy.Fault.values()) {
            String prefix = "faults-" + PREFIXES.incrementAndGet();
            try (FaultyProxy proxy = new FaultyProxy(S3TestServer.endpoint(), THRESHOLD, fault, Integer.MAX_VALUE);
                    Datalake lake = TestLakes.newLake(s -> s.registry(S3RegistryConformanceIT.settings()))) {
                byte[] payload = payload(3 * 1024 * 1024, 7);
                assertThatThrownBy(() -> lake.blocking().addDatum(payload, null,
                                S3TestServer.registryUri(proxy.endpoint(), prefix), null))
                        .as("%s", fault)
                        .isInstanceOfSatisfying(RegistryException.class,
                                e -> assertThat(e.isTransient()).as("%s isTransient", fault).isTrue());
            }
        }
    }
}
