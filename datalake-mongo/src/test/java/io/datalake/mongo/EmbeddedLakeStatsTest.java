package io.datalake.mongo;

import static org.assertj.core.api.Assertions.assertThat;

import io.datalake.BlockingDatalake;
import io.datalake.Datum;
import io.datalake.LakeStats;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class EmbeddedLakeStatsTest {
    private final BlockingDatalake lake = TestLakes.newLake(b -> b.batchSize(2)).blocking();

    @AfterEach
    void close() {
        lake.close();
    }

    @Test
    void anEmptyLakeHasZeroEverywhere() {
        LakeStats stats = lake.getStats();

        assertThat(stats).isEqualTo(new LakeStats(0, 0, 0, Map.of(), 0, 0, 0, 0));
    }

    @Test
    void countsRootsChainDepthAndTypesMostFrequentFirst() {
        Datum a = lake.addDatum(Map.of("type", "image"), null);
        Datum b = lake.addDatum(Map.of("type", "image"), null);
        lake.addDatum(Map.of("type", "image"), null);
        Datum label = lake.addDatum(Map.of("type", "classification"), null, null, a.id());
        lake.addDatum(Map.of("type", "classification"), null, null, b.id());
        Datum box = lake.addDatum(null, Map.of("type", "bbox"), null, label.id());
        lake.addDatum(List.of(1, 2), null, null, box.id());

        LakeStats stats = lake.getStats();

        assertThat(stats.datums()).isEqualTo(7);
        assertThat(stats.roots()).isEqualTo(3);
        assertThat(stats.deepestChain()).isEqualTo(4);
        assertThat(stats.countsByType()).containsExactly(
                Map.entry("image", 3L), Map.entry("classification", 2L), Map.entry("bbox", 1L));
        assertThat(stats.untyped()).isEqualTo(1);
        assertThat(stats.registryDatums()).isZero();
        assertThat(stats.registryObjects()).isZero();
    }
}
