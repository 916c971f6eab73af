package io.datalake.cli.internal;

import io.datalake.Datalake;
import io.datalake.cli.DatalakeCli;
import io.datalake.feed.FeedEvent;
import io.datalake.feed.FeedToken;
import io.datalake.feed.WatchOptions;
import io.datalake.query.Query;
import io.datalake.query.engine.QueryEngine;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.bson.BsonDocument;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;

/** {@code datalake watch}: prints new datums as JSON lines as they are added, resumable from a saved position. */
@Command(
        name = "watch",
        description = {
            "Print new datums as they are added, one JSON line each (the JSON of 'datalake get').",
            "Runs until Ctrl-C, --limit lines or a closed standard output. With --token-file the position after the "
                    + "last printed line is kept in FILE (replaced atomically after each line): resume with "
                    + "--from \"$(cat FILE)\". A datum is printed again after a resume only if the command stopped "
                    + "between printing it and saving the position."
        },
        footerHeading = "%nExamples:%n",
        footer = {
            "  datalake watch '{\"metadata.type\": \"image\"}' --token-file images.pos | ./classify.sh",
            "  datalake watch --from \"$(cat images.pos)\" '{\"metadata.type\": \"image\"}' --token-file images.pos",
            "  datalake watch --from-beginning --limit 10 | jq .id"
        })
final class WatchCommand extends LakeCommand {
    @Parameters(index = "0", arity = "0..1", paramLabel = "FILTER",
            description = "A MongoDB filter over the stored datum, as a query level's (for example "
                    + "'{\"metadata.type\": \"image\"}'); all datums without it.")
    @Nullable String filterText;

    @Option(names = "--from", paramLabel = "TOKEN",
            description = "Resume after this position (a token from --token-file), made with the same FILTER.")
    @Nullable String from;

    @Option(names = "--from-beginning", description = "Print the lake's existing datums first, then new ones.")
    boolean fromBeginning;

    @Option(names = "--token-file", paramLabel = "FILE",
            description = "After each printed line, replace FILE atomically with the position after it.")
    @Nullable Path tokenFile;

    @Option(names = "--limit", paramLabel = "N", description = "Stop after N datums.")
    @Nullable Long limit;

    @Option(names = "--window", paramLabel = "DURATION",
            description = "Reorder window of the polling tail: more than the clock skew between writers plus the "
                    + "longest insert (default: 60s).")
    @Nullable String window;

    @Option(names = "--poll-interval", paramLabel = "DURATION",
            description = "Pause between polls once caught up (default: 250ms). Examples: 100ms, 2s.")
    @Nullable String pollInterval;

    private WatchOptions options = WatchOptions.defaults();
    private volatile boolean interrupted;
    private volatile @Nullable Disposable subscription;
    private final CountDownLatch stopped = new CountDownLatch(1);

    @Override
    void validate() {
        if (limit != null && limit < 1) {
            throw new UsageException("--limit must be 1 or more, got " + limit);
        }
        if (from != null && fromBeginning) {
            throw new UsageException("give either --from or --from-beginning, not both");
        }
        WatchOptions.Builder builder = WatchOptions.builder();
        if (filterText != null && !filterText.isBlank()) {
            Json.check(filterText, "the filter");
            BsonDocument filter;
            try {
                filter = BsonDocument.parse(filterText);
            } catch (RuntimeException e) {
                throw new UsageException("the filter is not a JSON object: " + e.getMessage());
            }
            // The same check every query level gets, before any connection (InvalidQueryException exits with 2).
            QueryEngine.validate(Query.builder().base("watch", filter).build());
            builder.filter(filter);
        }
        if (from != null) {
            builder.from(FeedToken.parse(from));
        } else if (fromBeginning) {
            builder.fromBeginning();
        }
        if (window != null) {
            builder.reorderWindow(Durations.parse(window, "--window"));
        }
        if (pollInterval != null) {
            builder.pollInterval(millis(pollInterval));
        }
        if (tokenFile != null) {
            Path parent = tokenFile.toAbsolutePath().getParent();
            if (parent != null && !Files.isDirectory(parent)) {
                throw new UsageException("--token-file " + tokenFile + ": the directory " + parent
                        + " does not exist");
            }
            if (Files.isDirectory(tokenFile)) {
                throw new UsageException("--token-file " + tokenFile + " is a directory");
            }
        }
        options = builder.build();
    }

    private static Duration millis(String text) {
        String t = text.strip();
        if (t.endsWith("ms")) {
            try {
                return Duration.ofMillis(Long.parseLong(t.substring(0, t.length() - 2).strip()));
            } catch (NumberFormatException e) {
                throw new UsageException("--poll-interval: '" + text + "' is not a duration such as 250ms or 2s");
            }
        }
        return Durations.parse(t, "--poll-interval");
    }

    @Override
    int run(Datalake lake) throws IOException {
        WatchOptions start = options;
        if (tokenFile != null && start.start() == WatchOptions.Start.NOW) {
            // Save "now" before the first datum arrives, so a resume from the file never skips what was added
            // while this run printed nothing.
            FeedToken now = await(lake.feedPosition(start), "feedPosition");
            save(tokenFile, now.encode());
            start = start.toBuilder().from(now).build();
        }
        Flux<FeedEvent> events = lake.watchEvents(start);
        if (limit != null) {
            events = events.take(limit);
        }
        PrintStream out = out();
        Path positionFile = tokenFile;
        CountDownLatch done = new CountDownLatch(1);
        AtomicReference<@Nullable Throwable> failure = new AtomicReference<>();
        // Printing happens in the subscriber, one event at a time: the feed reads its next page only once the
        // current one is printed, so memory stays at one page whatever the pace of the reader of stdout.
        Disposable subscription = events
                .takeWhile(event -> {
                    out.println(Json.write(GetCommand.describe(event.datum()), false));
                    out.flush();
                    if (out.checkError()) {
                        // The reader went away (for example 'head'): nothing more can be delivered.
                        return false;
                    }
                    if (positionFile != null) {
                        try {
                            save(positionFile, event.token().encode());
                        } catch (IOException e) {
                            throw new UncheckedIOException(e);
                        }
                    }
                    return true;
                })
                .doFinally(signal -> done.countDown())
                .subscribe(event -> { }, failure::set);
        this.subscription = subscription;
        Thread hook = root().context().program() ? new Thread(this::onInterrupt, "datalake-watch-interrupt") : null;
        if (hook != null) {
            Runtime.getRuntime().addShutdownHook(hook);
        }
        try {
            done.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            subscription.dispose();
            return DatalakeCli.EXIT_INTERRUPTED;
        } finally {
            stopped.countDown();
            if (hook != null) {
                try {
                    Runtime.getRuntime().removeShutdownHook(hook);
                } catch (IllegalStateException shuttingDown) {
                    // The hook is running.
                }
            }
        }
        Throwable failed = failure.get();
        if (failed instanceof UncheckedIOException) {
            throw ((UncheckedIOException) failed).getCause();
        }
        if (failed instanceof RuntimeException) {
            throw (RuntimeException) failed;
        }
        if (failed != null) {
            throw new IllegalStateException(failed);
        }
        return interrupted ? DatalakeCli.EXIT_INTERRUPTED : 0;
    }

    /** Ctrl-C: stop the feed (a line being printed and its position are finished first), then let the JVM go. */
    private void onInterrupt() {
        interrupted = true;
        Disposable running = subscription;
        if (running != null) {
            running.dispose();
        }
        try {
            stopped.await(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Replaces {@code file} with {@code token} so that a reader sees the old or the new position, never half. */
    private static void save(Path file, String token) throws IOException {
        Path absolute = file.toAbsolutePath();
        Path temp = absolute.resolveSibling(absolute.getFileName() + ".tmp");
        try {
            Files.write(temp, (token + "\n").getBytes(StandardCharsets.US_ASCII));
            try {
                Files.move(temp, absolute, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temp, absolute, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            throw new IOException("cannot write --token-file " + file + ": " + e.getMessage(), e);
        }
    }
}
