package io.datalake.benchmarks;

import io.datalake.Datalake;
import io.datalake.NewDatum;
import io.datalake.feed.FeedToken;
import io.datalake.feed.WatchOptions;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;
import reactor.core.Disposable;

/**
 * Scenario 17: change-feed latency. A writer adds datums one at a time ({@code addDatum}, a few milliseconds apart)
 * while a watcher on its own connection follows the lake from a position taken before the first add; the latency of a
 * datum is the time from the start of its {@code addDatum} call to its delivery to the watcher's subscriber. Measured
 * with the default poll interval and with a short one; every datum must arrive exactly once.
 */
final class FeedLatencyScenario {
    private FeedLatencyScenario() {
    }

    static ScenarioResult run(BenchmarkRun.Context context) throws Exception {
        BenchServer server = context.server();
        int n = context.options().smoke() ? 40 : 1_000;
        ScenarioResult result = new ScenarioResult(17, "Change feed latency");
        result.setup.add(n + " datums added one at a time (addDatum, 0-10 ms apart) by one writer lake while a "
                + "watcher lake (its own connection) follows with watchEvents from a position taken first");
        result.setup.add("Latency = start of addDatum to delivery to the watcher's subscriber; reorder window "
                + WatchOptions.DEFAULT_REORDER_WINDOW.toSeconds() + " s (default), batch size "
                + WatchOptions.DEFAULT_BATCH_SIZE);
        for (Duration poll : List.of(WatchOptions.DEFAULT_POLL_INTERVAL, Duration.ofMillis(20))) {
            double[] ms = measure(server, n, poll, context);
            String label = "poll interval " + poll.toMillis() + " ms" + (poll.equals(WatchOptions.DEFAULT_POLL_INTERVAL)
                    ? " (default)" : "");
            result.figures.add(Figure.value("insert-to-delivery p50, " + label, percentile(ms, 0.50), "ms"));
            result.figures.add(Figure.value("insert-to-delivery p99, " + label, percentile(ms, 0.99), "ms"));
            result.figures.add(Figure.value("insert-to-delivery max, " + label, ms[ms.length - 1], "ms"));
        }
        // measure() fails the scenario when a datum is missing or delivered twice, so a result means it held.
        result.checks.add(new Check("every datum delivered exactly once (both poll intervals)", "yes", "yes", true));
        result.notes.add("The polling tail re-reads the ids of the reorder window each poll (an _id range scan), so "
                + "latency is about half the poll interval plus the time of one poll; a change stream (replica set) "
                + "has no poll.");
        return result;
    }

    private static double[] measure(BenchServer server, int n, Duration poll, BenchmarkRun.Context context)
            throws InterruptedException {
        String database = server.freshDatabase();
        Datalake writer = server.openLake(database);
        Datalake watcher = server.openLake(database);
        AtomicLongArray sent = new AtomicLongArray(n);
        long[] latencies = new long[n];
        AtomicInteger delivered = new AtomicInteger();
        AtomicInteger duplicates = new AtomicInteger();
        CountDownLatch all = new CountDownLatch(n);
        Disposable watching = null;
        try {
            WatchOptions options = WatchOptions.builder().pollInterval(poll).build();
            FeedToken start = watcher.feedPosition(options).block();
            if (start == null) {
                throw new IllegalStateException("feedPosition completed empty");
            }
            watching = watcher.watchEvents(options.toBuilder().from(start).build()).subscribe(event -> {
                long now = System.nanoTime();
                Object data = event.datum().data();
                Object value = data instanceof Map<?, ?> map ? map.get("seq") : null;
                if (!(value instanceof Number number)) {
                    return;
                }
                int seq = number.intValue();
                if (latencies[seq] != 0) {
                    duplicates.incrementAndGet();
                    return;
                }
                latencies[seq] = Math.max(1, now - sent.get(seq));
                delivered.incrementAndGet();
                all.countDown();
            });
            Random random = new Random(17);
            for (int i = 0; i < n; i++) {
                sent.set(i, System.nanoTime());
                writer.addDatum(NewDatum.of(Map.of("seq", i), Map.of("bench", "feed"))).block();
                Thread.sleep(random.nextInt(11));
            }
            if (!all.await(context.options().runTimeout().toSeconds(), TimeUnit.SECONDS)) {
                throw new IllegalStateException("the feed delivered " + delivered.get() + " of " + n + " datums");
            }
            if (duplicates.get() > 0) {
                throw new IllegalStateException("the feed delivered " + duplicates.get() + " datums twice");
            }
        } finally {
            if (watching != null) {
                watching.dispose();
            }
            writer.close();
            watcher.close();
            server.drop(database);
        }
        double[] ms = new double[n];
        for (int i = 0; i < n; i++) {
            ms[i] = latencies[i] / 1e6;
        }
        Arrays.sort(ms);
        context.log().printf("  poll %d ms: p50 %.1f ms, p99 %.1f ms%n", poll.toMillis(), percentile(ms, 0.5),
                percentile(ms, 0.99));
        return ms;
    }

    /** Nearest-rank percentile of sorted values. */
    static double percentile(double[] sorted, double p) {
        int rank = (int) Math.ceil(p * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
    }
}
