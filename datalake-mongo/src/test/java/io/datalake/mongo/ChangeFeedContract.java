package io.datalake.mongo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.mongodb.client.model.Filters;
import io.datalake.Datalake;
import io.datalake.DatalakeException;
import io.datalake.DatalakeSettings;
import io.datalake.Datum;
import io.datalake.InvalidQueryException;
import io.datalake.NewDatum;
import io.datalake.feed.FeedEvent;
import io.datalake.feed.FeedToken;
import io.datalake.feed.FeedTokenMismatchException;
import io.datalake.feed.InvalidFeedTokenException;
import io.datalake.feed.WatchOptions;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.bson.types.ObjectId;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * The change feed contract: from any saved position it misses nothing and delivers nothing twice, with writers whose
 * clocks disagree. On a server without change streams (the embedded one, a standalone MongoDB) the polling tail does
 * the work; on a replica set positions taken "now" follow a change stream and positions from the beginning the tail.
 */
abstract class ChangeFeedContract {
    private static final Duration WAIT = Duration.ofMinutes(3);
    private static final AtomicInteger DATABASES = new AtomicInteger();

    private final DatalakeSettings settings = DatalakeSettings.builder().mongoUri(connectionString())
            .database("feed_" + DATABASES.incrementAndGet()).build();
    private final List<Datalake> lakes = new ArrayList<>();

    /** The server under test. */
    protected abstract String connectionString();

    /** Whether the server offers change streams. */
    protected abstract boolean offersChangeStreams();

    @AfterEach
    void close() {
        lakes.forEach(Datalake::close);
    }

    private Datalake lake(Clock clock) {
        Datalake lake = Datalakes.create(settings.toBuilder().clock(clock).build());
        lakes.add(lake);
        return lake;
    }

    private static Clock skewed(long seconds) {
        return Clock.offset(Clock.systemUTC(), Duration.ofSeconds(seconds));
    }

    @Test
    void fourSkewedWritersAndAWatcherRestartedTwiceFromSavedTokensSeeEveryDatumExactlyOnce() {
        fourSkewedWritersAndARestartedWatcher(WatchOptions.builder());
    }

    @Test
    void theSameHoldsForThePollingTailWhereChangeStreamsWouldBeUsed() {
        // Where the server has no change streams the test above already ran the tail.
        Assumptions.assumeTrue(offersChangeStreams());
        fourSkewedWritersAndARestartedWatcher(WatchOptions.builder().source(WatchOptions.Source.TAIL));
    }

    private void fourSkewedWritersAndARestartedWatcher(WatchOptions.Builder source) {
        Datalake watcherLake = lake(Clock.systemUTC());
        List<Datalake> writers = List.of(lake(skewed(-3)), lake(Clock.systemUTC()), lake(skewed(2)), lake(skewed(5)));
        WatchOptions.Builder options = source.reorderWindow(Duration.ofSeconds(10))
                .pollInterval(Duration.ofMillis(20)).batchSize(1000);
        FeedToken start = watcherLake.feedPosition(options.build()).block(WAIT);
        int perWriter = 5_000;
        Set<ObjectId> written = ConcurrentHashMap.newKeySet();
        Mono<Void> writing = Flux.range(0, writers.size())
                .flatMap(w -> Flux.range(0, perWriter / 50)
                        .concatMap(batch -> writers.get(w).addData(Flux.range(0, 50)
                                .map(i -> NewDatum.of(Map.of("writer", w, "n", batch * 50 + i), null))))
                        .doOnNext(datum -> written.add(datum.id()))
                        .subscribeOn(Schedulers.boundedElastic()), writers.size())
                .then()
                .cache();
        List<ObjectId> seen = new ArrayList<>();
        writing.subscribe();

        // Runs 1 and 2 stop mid-stream (cancelled by take), each saving the token of the last event it processed.
        FeedToken token = start;
        for (int stop : new int[] {6_000, 7_000}) {
            List<FeedEvent> run = watcherLake.watchEvents(options.from(FeedToken.parse(token.encode())).build())
                    .take(stop).collectList().block(WAIT);
            run.forEach(event -> seen.add(event.datum().id()));
            token = run.get(run.size() - 1).token();
        }
        int remaining = 4 * perWriter - seen.size();
        List<FeedEvent> last = watcherLake.watchEvents(options.from(FeedToken.parse(token.encode())).build())
                .take(remaining).collectList().block(WAIT);
        last.forEach(event -> seen.add(event.datum().id()));
        writing.block(WAIT);

        assertThat(written).hasSize(4 * perWriter);
        assertThat(seen).doesNotHaveDuplicates();
        assertThat(new HashSet<>(seen)).isEqualTo(written);
        // Nothing is left to deliver from the last position but what comes next.
        Datum sentinel = writers.get(0).addDatum(Map.of("sentinel", true), null).block(WAIT);
        FeedEvent after = watcherLake.watchEvents(options.from(last.get(last.size() - 1).token()).build())
                .blockFirst(WAIT);
        assertThat(after.datum().id()).isEqualTo(sentinel.id());
    }

    @Test
    void theFilterSelectsDatumsLikeAQueryLevel() {
        Datalake lake = lake(Clock.systemUTC());
        for (int i = 0; i < 30; i++) {
            lake.addDatum(Map.of("i", i), Map.of("kind", i % 3 == 0 ? "image" : "label")).block(WAIT);
        }
        List<Datum> images = lake.watch(WatchOptions.builder().fromBeginning().filter(Filters.eq("metadata.kind",
                "image")).pollInterval(Duration.ofMillis(10)).batchSize(4).build()).take(10).collectList().block(WAIT);

        assertThat(images).extracting(d -> d.metadata().get("kind")).containsOnly("image");
        assertThat(images).extracting(d -> d.data()).containsExactlyElementsOf(
                List.of(0, 3, 6, 9, 12, 15, 18, 21, 24, 27).stream().map(i -> Map.of("i", i))
                        .collect(Collectors.toList()));
    }

    @Test
    void fromBeginningDeliversExistingDatumsInIdOrderAndFromNowOnlyLaterOnes() {
        Datalake lake = lake(Clock.systemUTC());
        List<ObjectId> old = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            old.add(lake.addDatum(Map.of("old", i), null).block(WAIT).id());
        }
        WatchOptions.Builder options = WatchOptions.builder().pollInterval(Duration.ofMillis(10));

        assertThat(lake.watch(options.fromBeginning().build()).take(5).map(Datum::id).collectList().block(WAIT))
                .isEqualTo(old);

        // Keep adding until the feed from now delivers: whatever the race, it never delivers an old datum.
        Set<ObjectId> fresh = ConcurrentHashMap.newKeySet();
        Datum first = lake.watch(options.fromNow().build())
                .mergeWith(Flux.interval(Duration.ofMillis(50)).take(200)
                        .concatMap(i -> lake.addDatum(Map.of("new", i), null))
                        .doOnNext(d -> fresh.add(d.id())).then(Mono.empty()))
                .blockFirst(WAIT);
        assertThat(old).doesNotContain(first.id());
        assertThat(fresh).contains(first.id());
    }

    @Test
    void aPositionTakenBeforeAddingDeliversExactlyTheLaterDatums() {
        Datalake lake = lake(Clock.systemUTC());
        lake.addDatum(Map.of("before", 1), null).block(WAIT);
        FeedToken position = lake.feedPosition(WatchOptions.defaults()).block(WAIT);
        Datum a = lake.addDatum(Map.of("after", 1), null).block(WAIT);
        Datum b = lake.addDatum(Map.of("after", 2), null).block(WAIT);

        List<ObjectId> ids = lake.watch(WatchOptions.builder().from(FeedToken.parse(position.encode()))
                .pollInterval(Duration.ofMillis(10)).build()).take(2).map(Datum::id).collectList().block(WAIT);

        assertThat(ids).containsExactly(a.id(), b.id());
    }

    @Test
    void aTokenMadeForAnotherFilterIsRefused() {
        Datalake lake = lake(Clock.systemUTC());
        FeedToken images = lake.feedPosition(WatchOptions.builder().filter(Filters.eq("metadata.kind", "image"))
                .build()).block(WAIT);

        assertThatThrownBy(() -> lake.watch(WatchOptions.builder().filter(Filters.eq("metadata.kind", "label"))
                .from(images).build()).blockFirst(WAIT))
                .isInstanceOf(FeedTokenMismatchException.class)
                .hasMessageContaining("another filter");
        assertThatThrownBy(() -> lake.watch(WatchOptions.builder().from(images).build()).blockFirst(WAIT))
                .isInstanceOf(FeedTokenMismatchException.class);
    }

    @Test
    void aFilterAQueryWouldRefuseIsRefusedBeforeAnyRead() {
        Datalake lake = lake(Clock.systemUTC());

        assertThatThrownBy(() -> lake.watch(WatchOptions.builder().filter(Filters.where("sleep(1000)")).build())
                .blockFirst(WAIT))
                .isInstanceOf(InvalidQueryException.class)
                .hasMessageContaining("$where");
        assertThatThrownBy(() -> lake.feedPosition(WatchOptions.builder().filter(Filters.regex("data.x", "(a+)+$"))
                .build()).block(WAIT))
                .isInstanceOf(InvalidQueryException.class);
    }

    @Test
    void aTokenWhosePositionIsDamagedIsRefusedWithATypedError() {
        Datalake lake = lake(Clock.systemUTC());
        FeedToken forged = FeedToken.of(FeedToken.Kind.TAIL, WatchOptions.defaults().filterFingerprint(),
                () -> new byte[] {0, 1, 2});

        assertThatThrownBy(() -> lake.watch(WatchOptions.builder().from(FeedToken.parse(forged.encode())).build())
                .blockFirst(WAIT))
                .isInstanceOf(InvalidFeedTokenException.class);
    }

    @Test
    void anExplicitChangeStreamSourceWorksOnlyWhereTheServerOffersOne() {
        Datalake lake = lake(Clock.systemUTC());
        WatchOptions changeStream = WatchOptions.builder().source(WatchOptions.Source.CHANGE_STREAM).build();
        if (!offersChangeStreams()) {
            assertThatThrownBy(() -> lake.watch(changeStream).blockFirst(WAIT))
                    .isInstanceOf(DatalakeException.class)
                    .hasMessageContaining("no change streams");
            return;
        }
        FeedToken position = lake.feedPosition(changeStream).block(WAIT);
        assertThat(position.kind()).isEqualTo(FeedToken.Kind.CHANGE_STREAM);
        Datum a = lake.addDatum(Map.of("n", 1), Map.of("kind", "image")).block(WAIT);
        lake.addDatum(Map.of("n", 2), Map.of("kind", "label")).block(WAIT);
        Datum c = lake.addDatum(Map.of("n", 3), Map.of("kind", "image")).block(WAIT);

        List<FeedEvent> all = lake.watchEvents(changeStream.toBuilder().from(position).build()).take(3)
                .collectList().block(WAIT);
        FeedEvent afterFirst = lake.watchEvents(changeStream.toBuilder().from(FeedToken.parse(all.get(0).token()
                .encode())).build()).blockFirst(WAIT);
        WatchOptions images = WatchOptions.builder().source(WatchOptions.Source.CHANGE_STREAM)
                .filter(Filters.eq("metadata.kind", "image")).build();
        FeedToken imagesPosition = lake.feedPosition(images).block(WAIT);
        Datum d = lake.addDatum(Map.of("n", 4), Map.of("kind", "label")).block(WAIT);
        Datum e = lake.addDatum(Map.of("n", 5), Map.of("kind", "image")).block(WAIT);

        assertThat(all).extracting(event -> event.datum().id()).containsExactly(a.id(), all.get(1).datum().id(),
                c.id());
        assertThat(afterFirst.datum().id()).isEqualTo(all.get(1).datum().id());
        assertThat(lake.watch(images.toBuilder().from(imagesPosition).build()).blockFirst(WAIT).id())
                .isEqualTo(e.id()).isNotEqualTo(d.id());
    }

    @Test
    void idsCarryTheWritersClock() {
        Datalake early = lake(skewed(-3_600));
        Datum datum = early.addDatum(Map.of("x", 1), null).block(WAIT);

        assertThat(datum.id().getDate().toInstant())
                .isBetween(datum.addedAt().minusSeconds(1), datum.addedAt().plusSeconds(1));
        assertThat(datum.id().getDate().toInstant()).isBefore(Clock.systemUTC().instant().minusSeconds(3_000));
    }
}
