package io.datalake.io.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.bson.types.ObjectId;
import org.junit.jupiter.api.Test;

/** The compact id map COCO exports use to write each image and annotation once. */
class ObjectIdIntMapTest {
    @Test
    void keepsTheFirstValueOfEveryIdAcrossGrowth() {
        ObjectIdIntMap map = new ObjectIdIntMap();
        List<ObjectId> ids = new ArrayList<>();
        Random random = new Random(7);
        for (int i = 0; i < 50_000; i++) {
            // Ids of one process differ only in their last bytes; random ones differ everywhere.
            ids.add(i % 2 == 0 ? new ObjectId() : new ObjectId(new byte[] {(byte) random.nextInt(),
                    (byte) random.nextInt(), 0, 0, 0, 0, 0, 0, (byte) random.nextInt(), (byte) random.nextInt(),
                    (byte) (i >>> 8), (byte) i}));
        }
        for (int i = 0; i < ids.size(); i++) {
            assertThat(map.putIfAbsent(ids.get(i), i + 1)).isEqualTo(i + 1);
        }
        assertThat(map.size()).isEqualTo(ids.size());
        for (int i = 0; i < ids.size(); i++) {
            assertThat(map.get(ids.get(i))).isEqualTo(i + 1);
            assertThat(map.putIfAbsent(ids.get(i), 99)).isEqualTo(i + 1);
        }
        assertThat(map.size()).isEqualTo(ids.size());
        assertThat(map.get(new ObjectId())).isZero();
    }
}
