package io.datalake.registry.file;

import static org.assertj.core.api.Assertions.assertThat;

import io.datalake.RegistrySettings;
import io.datalake.mongo.GcChaos;
import io.datalake.mongo.TestLakes;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The garbage-collection chaos run ({@link GcChaos}) on a file registry. */
class EmbeddedFileGcChaosTest {
    @TempDir
    Path root;

    @Test
    void writersRacingACollectionLoopAtZeroGraceNeverLeaveADatumWithoutItsObject() throws InterruptedException {
        GcChaos.Result result = GcChaos.run(TestLakes.freshSettings()
                .registry(RegistrySettings.builder().defaultRegistry(root.toUri().toString()).build()).build(), 4, 600);


        assertThat(result.writerFailures()).isEmpty();
        assertThat(result.dangling()).isEmpty();
        assertThat(result.gcErrors()).isZero();
        assertThat(result.adds()).isGreaterThanOrEqualTo(2400);
        // The collector did run and delete planted objects, so the writers raced real deletions.
        assertThat(result.gcRuns()).isGreaterThan(10);
        assertThat(result.deleted()).isGreaterThan(50);
    }
}
