package io.datalake.benchmarks;

import java.io.PrintStream;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jspecify.annotations.Nullable;

/**
 * Runs compared trials interleaved in one process (A, B, A, B, ...) so that a noisy machine moves every side
 * alike: each round runs every trial once, the first {@code warmups} rounds are discarded.
 *
 * <p>A run that exceeds the time limit is interrupted and its trial is not run again: the figure is reported as
 * "more than the limit" so that a pathologically slow side cannot stop the whole benchmark.
 */
final class Interleaved {
    private Interleaved() {
    }

    static Map<String, Stats> run(List<Trial> trials, BenchmarkRun.Context context) throws Exception {
        BenchmarkOptions options = context.options();
        return run(trials, options.warmups(), options.runs(), options.runTimeout(), context.log());
    }

    static Map<String, Stats> run(List<Trial> trials, int warmups, int runs, Duration limit, PrintStream log)
            throws Exception {
        Map<String, long[]> times = new LinkedHashMap<>();
        for (Trial trial : trials) {
            if (times.put(trial.name(), new long[runs]) != null) {
                throw new IllegalArgumentException("two trials are named " + trial.name());
            }
        }
        Map<String, Stats> timedOut = new LinkedHashMap<>();
        ExecutorService worker = Executors.newSingleThreadExecutor(r -> {
            Thread thread = new Thread(r, "benchmark-run");
            thread.setDaemon(true);
            return thread;
        });
        try {
            for (int round = 0; round < warmups + runs; round++) {
                boolean warmup = round < warmups;
                for (Trial trial : trials) {
                    if (timedOut.containsKey(trial.name())) {
                        continue;
                    }
                    Trial.Run run = trial.prepare();
                    Long elapsed;
                    try {
                        elapsed = timed(worker, run, limit);
                    } finally {
                        run.cleanup();
                    }
                    String label = warmup ? "warm-up" : "run " + (round - warmups + 1) + "  ";
                    if (elapsed == null) {
                        timedOut.put(trial.name(), Stats.timedOut(limit.toNanos()));
                        log.printf("    %s %-56s > %.0f s, not finished: stopped and not run again%n", label,
                                trial.name(), limit.toSeconds() * 1.0);
                        continue;
                    }
                    if (!warmup) {
                        // times holds an array for every trial, made before the first round.
                        Objects.requireNonNull(times.get(trial.name()), trial.name())[round - warmups] = elapsed;
                    }
                    log.printf("    %s %-56s %9.3f s%n", label, trial.name(), elapsed / 1e9);
                }
            }
        } finally {
            worker.shutdownNow();
        }
        Map<String, Stats> stats = new LinkedHashMap<>();
        times.forEach((name, nanos) -> stats.put(name, timedOut.getOrDefault(name, Stats.of(nanos))));
        return stats;
    }

    /** Runs one timed part on the worker; returns its duration, or null if it exceeded the limit. */
    private static @Nullable Long timed(ExecutorService worker, Trial.Run run, Duration limit) throws Exception {
        Future<Long> future = worker.submit(() -> {
            long start = System.nanoTime();
            run.run();
            return System.nanoTime() - start;
        });
        try {
            return future.get(limit.toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            // Interrupting a blocked Reactor call cancels its subscription; wait for the worker to let go.
            future.cancel(true);
            try {
                future.get(30, TimeUnit.SECONDS);
            } catch (Exception ignored) {
                // The cancellation is the expected outcome here.
            }
            return null;
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof Exception ex) {
                throw ex;
            }
            throw e;
        }
    }
}
