package io.datalake.feed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.datalake.InvalidArgumentException;
import java.time.Duration;
import java.util.Base64;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.CRC32;
import org.bson.Document;
import org.junit.jupiter.api.Test;

class FeedTokenTest {
    private static final FeedToken TOKEN = FeedToken.of(FeedToken.Kind.TAIL, 42L, () -> new byte[] {1, 2, 3, 4, 5});

    @Test
    void aTokenSurvivesItsTextAsOpaqueUrlSafeBase64() {
        String text = TOKEN.encode();
        FeedToken parsed = FeedToken.parse(text);

        assertThat(text).matches("[A-Za-z0-9_-]+");
        assertThat(parsed).isEqualTo(TOKEN);
        assertThat(parsed.kind()).isEqualTo(FeedToken.Kind.TAIL);
        assertThat(parsed.filterFingerprint()).isEqualTo(42L);
        assertThat(parsed.state()).containsExactly(1, 2, 3, 4, 5);
        assertThat(FeedToken.parse("  " + text + "\n")).isEqualTo(TOKEN);
    }

    @Test
    void theStateIsComputedOnceAndOnlyWhenUsed() {
        AtomicInteger calls = new AtomicInteger();
        FeedToken lazy = FeedToken.of(FeedToken.Kind.TAIL, 1L, () -> {
            calls.incrementAndGet();
            return new byte[] {9};
        });
        assertThat(calls).hasValue(0);

        lazy.encode();
        lazy.encode();
        lazy.state();

        assertThat(calls).hasValue(1);
    }

    @Test
    void junkIsRefusedWithATypedErrorNamingTheProblem() {
        assertThatThrownBy(() -> FeedToken.parse("")).isInstanceOf(InvalidFeedTokenException.class)
                .hasMessageContaining("blank");
        assertThatThrownBy(() -> FeedToken.parse(null)).isInstanceOf(InvalidFeedTokenException.class);
        assertThatThrownBy(() -> FeedToken.parse("not a token!")).isInstanceOf(InvalidFeedTokenException.class)
                .hasMessageContaining("base64url");
        assertThatThrownBy(() -> FeedToken.parse("AAAA")).isInstanceOf(InvalidFeedTokenException.class)
                .hasMessageContaining("truncated");
        String text = TOKEN.encode();
        String truncated = text.substring(0, text.length() - 3);
        assertThatThrownBy(() -> FeedToken.parse(truncated)).isInstanceOf(InvalidFeedTokenException.class);
        char[] chars = text.toCharArray();
        chars[6] = chars[6] == 'A' ? 'B' : 'A';
        assertThatThrownBy(() -> FeedToken.parse(new String(chars))).isInstanceOf(InvalidFeedTokenException.class)
                .hasMessageContaining("checksum");
        assertThatThrownBy(() -> FeedToken.parse("A".repeat(FeedToken.MAX_ENCODED_LENGTH + 1)))
                .isInstanceOf(InvalidFeedTokenException.class);
        assertThat(new InvalidFeedTokenException("x")).isInstanceOf(InvalidArgumentException.class);
    }

    @Test
    void anotherVersionOrKindIsRefusedEvenWithAValidChecksum() {
        byte[] bytes = Base64.getUrlDecoder().decode(TOKEN.encode());
        bytes[0] = 2;
        assertThatThrownBy(() -> FeedToken.parse(resealed(bytes))).isInstanceOf(InvalidFeedTokenException.class)
                .hasMessageContaining("version 2");
        bytes[0] = 1;
        bytes[1] = 9;
        assertThatThrownBy(() -> FeedToken.parse(resealed(bytes))).isInstanceOf(InvalidFeedTokenException.class)
                .hasMessageContaining("kind 9");
        bytes[1] = 1;
        bytes[12] ^= 0x55; // inside the compressed state
        assertThatThrownBy(() -> FeedToken.parse(resealed(bytes))).isInstanceOf(InvalidFeedTokenException.class);
    }

    private static String resealed(byte[] bytes) {
        CRC32 crc = new CRC32();
        crc.update(bytes, 0, bytes.length - 4);
        int value = (int) crc.getValue();
        bytes[bytes.length - 4] = (byte) (value >>> 24);
        bytes[bytes.length - 3] = (byte) (value >>> 16);
        bytes[bytes.length - 2] = (byte) (value >>> 8);
        bytes[bytes.length - 1] = (byte) value;
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    @Test
    void watchOptionsHaveNamedDefaultsAndRefuseOutOfRangeValues() {
        WatchOptions defaults = WatchOptions.defaults();
        assertThat(defaults.start()).isEqualTo(WatchOptions.Start.NOW);
        assertThat(defaults.reorderWindow()).isEqualTo(WatchOptions.DEFAULT_REORDER_WINDOW);
        assertThat(defaults.pollInterval()).isEqualTo(WatchOptions.DEFAULT_POLL_INTERVAL);
        assertThat(defaults.batchSize()).isEqualTo(WatchOptions.DEFAULT_BATCH_SIZE);
        assertThat(defaults.source()).isEqualTo(WatchOptions.Source.AUTO);
        assertThat(defaults.filter().toBsonDocument()).isEmpty();
        assertThat(defaults.toBuilder().from(TOKEN).build().token()).isEqualTo(TOKEN);

        assertThatThrownBy(() -> WatchOptions.builder().reorderWindow(Duration.ofMillis(500)))
                .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("PT0.5S");
        assertThatThrownBy(() -> WatchOptions.builder().pollInterval(Duration.ZERO))
                .isInstanceOf(InvalidArgumentException.class);
        assertThatThrownBy(() -> WatchOptions.builder().batchSize(0)).isInstanceOf(InvalidArgumentException.class);
        assertThatThrownBy(() -> WatchOptions.builder().from(null)).isInstanceOf(InvalidArgumentException.class);
        assertThatThrownBy(() -> WatchOptions.builder().source(null)).isInstanceOf(InvalidArgumentException.class);
    }

    @Test
    void equalFiltersHaveEqualFingerprintsAndOthersDiffer() {
        long a = WatchOptions.builder().filter(new Document("metadata.kind", "image")).build().filterFingerprint();
        long b = WatchOptions.builder().filter(org.bson.BsonDocument.parse("{\"metadata.kind\": \"image\"}")).build()
                .filterFingerprint();
        long c = WatchOptions.builder().filter(new Document("metadata.kind", "label")).build().filterFingerprint();

        assertThat(a).isEqualTo(b).isNotEqualTo(c);
        assertThat(WatchOptions.builder().filter(null).build().filterFingerprint())
                .isEqualTo(WatchOptions.defaults().filterFingerprint());
    }
}
