package io.datalake.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The arithmetic every reported figure and ratio rests on. */
class StatsTest {

    @Test
    void medianMinAndMaxOfAnOddNumberOfRuns() {
        Stats stats = Stats.of(3_000_000_000L, 1_000_000_000L, 2_000_000_000L, 5_000_000_000L, 4_000_000_000L);

        assertThat(stats.median()).isEqualTo(3.0);
        assertThat(stats.min()).isEqualTo(1.0);
        assertThat(stats.max()).isEqualTo(5.0);
        assertThat(stats.runs()).isEqualTo(5);
    }

    @Test
    void medianOfAnEvenNumberOfRunsIsTheMeanOfTheMiddleTwo() {
        assertThat(Stats.of(1_000_000_000L, 4_000_000_000L, 2_000_000_000L, 3_000_000_000L).median()).isEqualTo(2.5);
    }

    @Test
    void ratioChecksCompareAgainstTheirBound() {
        Stats fast = Stats.of(1_000_000_000L);
        Stats slow = Stats.of(4_000_000_000L);

        assertThat(Check.atMost("time / lower bound", slow, fast, 3)).satisfies(c -> {
            assertThat(c.pass()).isFalse();
            assertThat(c.measured()).isEqualTo("4.00x");
        });
        assertThat(Check.atLeast("raw / ours", fast, slow, 0.2).pass()).isTrue();
        // Per-item ratio: 1000 items in 4 s vs 10 items in 1 s is 25x faster per item.
        assertThat(Check.ratio("speed-up", fast, 10, slow, 1000, true, 20).measured()).isEqualTo("25.0x");
    }

    @Test
    void pairedChecksTakeTheMedianOfPerRoundRatios() {
        // Per round the ratios are 2, 3 and 1.2 (median 2); the ratio of the medians is 3 / 2.5 = 1.2.
        Stats slow = Stats.of(2_000_000_000L, 9_000_000_000L, 3_000_000_000L);
        Stats fast = Stats.of(1_000_000_000L, 3_000_000_000L, 2_500_000_000L);

        assertThat(slow.nanos()).as("run order is kept").containsExactly(2_000_000_000L, 9_000_000_000L,
                3_000_000_000L);
        assertThat(Check.atMost("ratio of medians", slow, fast, 1.5).measured()).isEqualTo("1.20x");
        Check paired = Check.paired("paired", slow, fast, false, 1.5);
        assertThat(paired.measured()).isEqualTo("2.00x");
        assertThat(paired.pass()).isFalse();
        assertThat(Check.paired("paired, at least", fast, slow, true, 0.5).pass()).isTrue();
    }

    @Test
    void aPairedCheckWithASideThatDidNotFinishFallsBackToTheBound() {
        Check check = Check.paired("paired", Stats.timedOut(90_000_000_000L), Stats.of(1_000_000_000L), false, 2);

        assertThat(check.measured()).isEqualTo("> 90.0x");
        assertThat(check.pass()).isFalse();
    }

    @Test
    void aSideThatDidNotFinishGivesABoundThatDecidesOnlyWhenItCan() {
        Stats lower = Stats.of(1_000_000_000L);
        Stats timedOut = Stats.timedOut(90_000_000_000L);

        Check tooSlow = Check.atMost("time / lower bound", timedOut, lower, 3);
        assertThat(tooSlow.measured()).isEqualTo("> 90.0x");
        assertThat(tooSlow.pass()).isFalse();

        Check undecided = Check.atLeast("speed-up", lower, timedOut, 20);
        assertThat(undecided.measured()).startsWith("< ");
        assertThat(undecided.pass()).isFalse();
    }

    @Test
    void treeLevelsSumToTheRequestedDescendants() {
        int[] sizes = Workloads.Tree.levelSizes(100_000, 5);

        assertThat(sizes).hasSize(5);
        assertThat(java.util.Arrays.stream(sizes).sum()).isEqualTo(100_000);
        assertThat(sizes[0]).isEqualTo(10);
    }
}
