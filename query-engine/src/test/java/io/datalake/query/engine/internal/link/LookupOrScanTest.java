package io.datalake.query.engine.internal.link;

import static org.assertj.core.api.Assertions.assertThat;

import io.datalake.query.JoinMethod;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Unit test, no server: when children are found by batched lookups and when by one projected scan. */
class LookupOrScanTest {

    @Test
    void theDescendantWalkScansALevelAboveATenthOfAPercentOfTheLakeButNeverATinyOne() {
        assertThat(LookupOrScan.scanAbove(0)).isEqualTo(LookupOrScan.MIN_SCAN_LEVEL);
        assertThat(LookupOrScan.scanAbove(10_000)).isEqualTo(64);
        assertThat(LookupOrScan.scanAbove(64_000)).isEqualTo(64);
        assertThat(LookupOrScan.scanAbove(100_000)).isEqualTo(100);
        assertThat(LookupOrScan.scanAbove(1_000_000)).isEqualTo(1000);
    }

    @Test
    void aLookupPlanSwitchesToScansAfterItsLookupBatches() {
        LookupOrScan joins = new LookupOrScan(JoinMethod.LOOKUP, false, 3);
        assertThat(joins.scanning()).isFalse();
        assertThat(List.of(joins.next(false), joins.next(false), joins.next(false)))
                .containsOnly(JoinMethod.LOOKUP);
        assertThat(joins.next(false)).isEqualTo(JoinMethod.SCAN);
        assertThat(joins.scanning()).isTrue();
        assertThat(joins.next(false)).isEqualTo(JoinMethod.SCAN);
    }

    @Test
    void aScanPlanWhoseWholeBaseIsOneSmallBatchLooksUpInstead() {
        LookupOrScan joins = new LookupOrScan(JoinMethod.SCAN, false, 3);
        assertThat(joins.scanning()).isTrue();
        assertThat(joins.next(true)).isEqualTo(JoinMethod.LOOKUP);
        assertThat(joins.scanning()).isFalse();

        LookupOrScan large = new LookupOrScan(JoinMethod.SCAN, false, 3);
        assertThat(large.next(false)).isEqualTo(JoinMethod.SCAN);
        assertThat(large.next(false)).isEqualTo(JoinMethod.SCAN);
    }

    @Test
    void aForcedJoinNeverChanges() {
        LookupOrScan lookups = new LookupOrScan(JoinMethod.LOOKUP, true, 1);
        for (int i = 0; i < 5; i++) {
            assertThat(lookups.next(false)).isEqualTo(JoinMethod.LOOKUP);
        }
        LookupOrScan scans = new LookupOrScan(JoinMethod.SCAN, true, 1);
        assertThat(scans.next(true)).isEqualTo(JoinMethod.SCAN);
        assertThat(scans.scanning()).isTrue();
    }

    @Test
    void partitionsIntoConsecutiveBatches() {
        assertThat(LookupOrScan.partition(List.of(1, 2, 3, 4, 5), 2))
                .containsExactly(List.of(1, 2), List.of(3, 4), List.of(5));
        assertThat(LookupOrScan.partition(List.of(), 2)).isEmpty();
    }
}
