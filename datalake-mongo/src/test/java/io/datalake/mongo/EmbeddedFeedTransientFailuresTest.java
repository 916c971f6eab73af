package io.datalake.mongo;

import static org.assertj.core.api.Assertions.assertThat;

import io.datalake.Datalake;
import io.datalake.Datum;
import io.datalake.DatalakeSettings;
import io.datalake.feed.FeedToken;
import io.datalake.feed.WatchOptions;
import java.time.Duration;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicReference;
import org.bson.types.ObjectId;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;

/** A watcher whose server stops answering for a while keeps its position and goes on once it answers again. */
class EmbeddedFeedTransientFailuresTest {
    @Test
    void aPollThatTimesOutIsRetriedAndTheFeedGoesOnWithoutLosingItsPlace() throws Exception {
        StallingProxy proxy = StallingProxy.to(TestLakes.connectionString());
        DatalakeSettings direct = TestLakes.freshSettings().build();
        try (Datalake writer = Datalakes.create(direct);
                Datalake watcher = Datalakes.create(direct.toBuilder().mongoUri(proxy.connectionString())
                        .operationTimeout(Duration.ofMillis(500)).build())) {
            WatchOptions options = WatchOptions.builder().pollInterval(Duration.ofMillis(10)).build();
            FeedToken start = watcher.feedPosition(options).block();
            Queue<ObjectId> delivered = new ConcurrentLinkedQueue<>();
            AtomicReference<Throwable> failed = new AtomicReference<>();
            Disposable feed = watcher.watch(options.toBuilder().from(start).build())
                    .subscribe(d -> delivered.add(d.id()), failed::set);
            try {
                Datum before = writer.addDatum(Map.of("n", 1), null).block();
                await(() -> delivered.contains(before.id()));

                proxy.stall();
                Thread.sleep(1_200); // longer than the operation time limit: polls under way time out
                Datum during = writer.addDatum(Map.of("n", 2), null).block();
                proxy.resume();
                await(() -> delivered.contains(during.id()) || failed.get() != null);

                assertThat(failed.get()).isNull();
                assertThat(delivered).containsExactly(before.id(), during.id());
            } finally {
                feed.dispose();
            }
        } finally {
            proxy.close();
        }
    }

    private static void await(java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("condition reached in time").isLessThan(deadline);
            Thread.sleep(10);
        }
    }
}
