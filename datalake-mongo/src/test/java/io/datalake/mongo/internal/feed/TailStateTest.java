package io.datalake.mongo.internal.feed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.datalake.feed.FeedToken;
import io.datalake.feed.InvalidFeedTokenException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.bson.types.ObjectId;
import org.junit.jupiter.api.Test;

/** The tail's position survives its token, and the token stays small. */
class TailStateTest {
    /** Ids as four writers make them: each its own random 5 bytes and a counter, {@code perSecond} a second. */
    private static List<ObjectId> writerIds(long firstSecond, int seconds, int perSecond) {
        Random random = new Random(42);
        List<ObjectId> ids = new ArrayList<>();
        for (int writer = 0; writer < 4; writer++) {
            long machine = random.nextLong() & 0xff_ffff_ffffL;
            int counter = random.nextInt(1 << 24);
            for (int s = 0; s < seconds; s++) {
                for (int i = 0; i < perSecond / 4; i++) {
                    ByteBuffer bytes = ByteBuffer.allocate(12).putInt((int) (firstSecond + s));
                    bytes.put((byte) (machine >>> 32)).putInt((int) machine);
                    int c = counter++ & 0xffffff;
                    bytes.put((byte) (c >>> 16)).put((byte) (c >>> 8)).put((byte) c);
                    ids.add(new ObjectId(bytes.array()));
                }
            }
        }
        return ids;
    }

    @Test
    void aTokenRestoresTheScanAndTheHandledIdsAtOrAboveItsThreshold() {
        ObjectId next = ObjectIds.atSecond(java.time.Instant.ofEpochSecond(1_700_000_000L));
        TailState state = new TailState(false, next, next);
        state.startScan(ObjectIds.atSecond(java.time.Instant.ofEpochSecond(1_700_000_050L)));
        List<ObjectId> ids = writerIds(1_700_000_000L, 60, 40);
        ids.forEach(state::markHandled);
        ObjectId last = ids.get(ids.size() - 1);

        FeedToken token = FeedToken.parse(state.tokenAfter(last, 9L).encode());
        TailState restored = TailState.decode(token.state());

        assertThat(token.filterFingerprint()).isEqualTo(9L);
        assertThat(restored.scanning()).isTrue();
        assertThat(restored.cursor()).isEqualTo(ObjectIds.successor(last));
        assertThat(restored.next()).isEqualTo(state.next());
        assertThat(ids.stream().filter(id -> id.compareTo(restored.threshold()) >= 0))
                .allMatch(restored::isHandled);
        assertThat(restored.handledCount())
                .isEqualTo((int) ids.stream().filter(id -> id.compareTo(restored.threshold()) >= 0).count());
    }

    @Test
    void aTokenOfOneMinuteAtAThousandDatumsASecondFromFourWritersTakesAboutAKilobyte() {
        List<ObjectId> ids = writerIds(1_700_000_000L, 60, 1_000);
        TailState state = new TailState(false, ObjectIds.MIN, ObjectIds.MIN);
        ids.forEach(state::markHandled);

        String text = state.token(1L).encode();

        assertThat(state.handledCount()).isEqualTo(60_000);
        // Sorted ids of one writer differ by counter steps of 1, which delta encoding and DEFLATE reduce to almost
        // nothing: 60,000 ids measured 1,087 characters.
        assertThat(text.length()).isLessThan(2_000);
        assertThat(TailState.decode(FeedToken.parse(text).state()).handledCount()).isEqualTo(60_000);
    }

    @Test
    void damagedPositionsAreRefused() {
        byte[] good = new TailState(false, ObjectIds.MIN, ObjectIds.MIN).token(1L).state();
        assertThatThrownBy(() -> TailState.decode(new byte[0])).isInstanceOf(InvalidFeedTokenException.class);
        assertThatThrownBy(() -> TailState.decode(new byte[] {4})).isInstanceOf(InvalidFeedTokenException.class);
        byte[] longer = java.util.Arrays.copyOf(good, good.length + 1);
        assertThatThrownBy(() -> TailState.decode(longer)).isInstanceOf(InvalidFeedTokenException.class);
        byte[] claimsTooMany = java.util.Arrays.copyOf(good, good.length + 3);
        claimsTooMany[good.length - 1] = (byte) 0x81; // varint 2^21 + 1 > MAX_TOKEN_IDS
        claimsTooMany[good.length] = (byte) 0x80;
        claimsTooMany[good.length + 1] = (byte) 0x80;
        claimsTooMany[good.length + 2] = 0x01;
        assertThatThrownBy(() -> TailState.decode(claimsTooMany)).isInstanceOf(InvalidFeedTokenException.class)
                .hasMessageContaining("more than " + TailState.MAX_TOKEN_IDS);
        byte[] claimsMany = good.clone();
        claimsMany[claimsMany.length - 1] = 100;
        assertThatThrownBy(() -> TailState.decode(claimsMany)).isInstanceOf(InvalidFeedTokenException.class);
    }
}
