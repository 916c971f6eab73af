package io.datalake.mongo.internal.gc;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class KeyFilterTest {
    private static String key(int i) {
        String hash = String.format("%064x", (long) i * 0x9E3779B97F4A7C15L & Long.MAX_VALUE);
        return hash.substring(0, 2) + "/" + hash.substring(2, 4) + "/" + hash;
    }

    @Test
    void hasNoFalseNegativesAndAboutTheFalsePositiveRateItWasSizedFor() {
        KeyFilter filter = KeyFilter.forKeys(100_000, 0.001);
        for (int i = 0; i < 100_000; i++) {
            filter.add(key(i));
        }
        for (int i = 0; i < 100_000; i++) {
            assertThat(filter.mightContain(key(i))).isTrue();
        }
        int positives = 0;
        for (int i = 100_000; i < 200_000; i++) {
            positives += filter.mightContain(key(i)) ? 1 : 0;
        }
        assertThat(positives).isLessThan(300); // 0.1 % of 100,000 is 100
        assertThat(filter.bytes()).isLessThan(200_000);
    }

    @Test
    void memoryIsCappedWhateverTheCount() {
        assertThat(KeyFilter.forKeys(Long.MAX_VALUE / 64, 0.001).bytes()).isEqualTo(KeyFilter.MAX_BITS / 8);
    }
}
