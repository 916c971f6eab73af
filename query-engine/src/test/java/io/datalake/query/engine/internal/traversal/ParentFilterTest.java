package io.datalake.query.engine.internal.traversal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.bson.types.ObjectId;
import org.junit.jupiter.api.Test;

class ParentFilterTest {

    @Test
    void neverForgetsAnAddedIdAndRarelyClaimsOthers() {
        ParentFilter filter = new ParentFilter(100_000);
        List<ObjectId> added = new ArrayList<>();
        for (int i = 0; i < 20_000; i++) {
            ObjectId id = new ObjectId();
            added.add(id);
            filter.add(id);
        }

        assertThat(added).allMatch(filter::mightContain);
        long falsePositives = 0;
        for (int i = 0; i < 100_000; i++) {
            if (filter.mightContain(new ObjectId())) {
                falsePositives++;
            }
        }
        // 20k ids in 1.6M bits with 5 hashes: the expected rate is about 4e-6, so a handful at most.
        assertThat(falsePositives).isLessThan(20);
    }
}
