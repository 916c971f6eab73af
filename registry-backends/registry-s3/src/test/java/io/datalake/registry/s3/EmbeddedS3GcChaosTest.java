package io.datalake.registry.s3;

import static org.assertj.core.api.Assertions.assertThat;

import io.datalake.RegistrySettings;
import io.datalake.mongo.GcChaos;
import io.datalake.mongo.TestLakes;
import org.junit.jupiter.api.Test;

/** The garbage-collection chaos run ({@link GcChaos}) on S3, through the real AWS SDK and s3proxy. */
class EmbeddedS3GcChaosTest {
    @Test
    void writersRacingACollectionLoopAtZeroGraceNeverLeaveADatumWithoutItsObject() throws InterruptedException {
        RegistrySettings registry = S3RegistryConformanceIT.settings().toBuilder()
                .defaultRegistry(S3TestServer.registryUri(S3TestServer.endpoint(), "gc-chaos")).build();
        GcChaos.Result result = GcChaos.run(TestLakes.freshSettings().registry(registry).build(), 4, 400);


        assertThat(result.writerFailures()).isEmpty();
        assertThat(result.dangling()).isEmpty();
        assertThat(result.gcErrors()).isZero();
        assertThat(result.adds()).isGreaterThanOrEqualTo(1600);
        assertThat(result.gcRuns()).isGreaterThan(10);
        assertThat(result.deleted()).isGreaterThan(50);
    }
}
