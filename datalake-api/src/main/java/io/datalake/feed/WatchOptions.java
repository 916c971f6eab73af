package io.datalake.feed;

import io.datalake.InvalidArgumentException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import org.bson.BsonDocument;
import org.bson.conversions.Bson;
import org.bson.json.JsonMode;
import org.bson.json.JsonWriterSettings;
import org.jspecify.annotations.Nullable;

/**
 * Immutable options of a change feed ({@link io.datalake.Datalake#watch(WatchOptions)}). Build with
 * {@link #builder()}; every option has a default.
 *
 * <pre>{@code
 * lake.watchEvents(WatchOptions.builder()
 *         .filter(Filters.eq("metadata.kind", "image"))
 *         .from(FeedToken.parse(savedText))
 *         .build())
 *     .concatMap(event -> process(event.datum()).then(save(event.token().encode())))
 *     .subscribe();
 * }</pre>
 */
public final class WatchOptions {
    /**
     * Reorder window when none is set: the longest a datum may take, from the moment its writer stamps its id until
     * it is visible to readers, plus the largest clock difference between any writer and the watcher. Datums later
     * than this are reported as late (SLF4J warning) and may be missed.
     */
    public static final Duration DEFAULT_REORDER_WINDOW = Duration.ofSeconds(60);
    /** Smallest reorder window accepted: ids carry whole seconds. */
    public static final Duration MIN_REORDER_WINDOW = Duration.ofSeconds(1);
    /** Largest reorder window accepted: every poll re-reads the ids of the window. */
    public static final Duration MAX_REORDER_WINDOW = Duration.ofHours(24);
    /** Pause between polls once the feed has caught up, when none is set. */
    public static final Duration DEFAULT_POLL_INTERVAL = Duration.ofMillis(250);
    /** Shortest poll interval accepted. */
    public static final Duration MIN_POLL_INTERVAL = Duration.ofMillis(1);
    /** Longest poll interval accepted. */
    public static final Duration MAX_POLL_INTERVAL = Duration.ofHours(1);
    /** Ids read per server call, when none is set; also the most datums the feed holds for a slow subscriber. */
    public static final int DEFAULT_BATCH_SIZE = 500;
    /** Largest batch size accepted. */
    public static final int MAX_BATCH_SIZE = 10_000;

    private static final JsonWriterSettings CANONICAL = JsonWriterSettings.builder()
            .outputMode(JsonMode.EXTENDED).build();
    private static final WatchOptions DEFAULTS = builder().build();

    /** Where a feed starts. */
    public enum Start {
        /** After the datums visible when the watch starts: only datums added later are delivered. */
        NOW,
        /** Before every datum: the whole lake is delivered in {@code _id} order, then the new datums. */
        BEGINNING,
        /** At a stored position ({@link WatchOptions#token()}). */
        TOKEN
    }

    /** Which mechanism follows the collection. */
    public enum Source {
        /**
         * A change stream when the server offers one (replica set, sharded cluster) and the feed starts from now;
         * otherwise, and for a position from the beginning, the polling tail. A token resumes with the kind it holds.
         */
        AUTO,
        /** Always the polling tail over {@code _id} with the reorder window (any server). */
        TAIL,
        /** Always a change stream; the watch fails with {@link io.datalake.DatalakeException} if the server has none. */
        CHANGE_STREAM
    }

    private final BsonDocument filter;
    private final long filterFingerprint;
    private final Start start;
    private final @Nullable FeedToken token;
    private final Duration reorderWindow;
    private final Duration pollInterval;
    private final int batchSize;
    private final Source source;

    private WatchOptions(Builder b) {
        this.filter = b.filter.clone();
        this.filterFingerprint = fingerprint(filter);
        this.start = b.start;
        this.token = b.token;
        this.reorderWindow = b.reorderWindow;
        this.pollInterval = b.pollInterval;
        this.batchSize = b.batchSize;
        this.source = b.source;
    }

    /**
     * Returns the default options: every datum, from now, {@link #DEFAULT_REORDER_WINDOW},
     * {@link #DEFAULT_POLL_INTERVAL}, {@link #DEFAULT_BATCH_SIZE}, {@link Source#AUTO}.
     *
     * @return the defaults
     */
    public static WatchOptions defaults() {
        return DEFAULTS;
    }

    /**
     * Returns a builder with every option at its default.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Returns a builder holding these options, to change some of them.
     *
     * @return a new builder
     */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.filter = filter.clone();
        b.start = start;
        b.token = token;
        b.reorderWindow = reorderWindow;
        b.pollInterval = pollInterval;
        b.batchSize = batchSize;
        b.source = source;
        return b;
    }

    /**
     * Returns the filter datums must match, in the filter language of a query level (a MongoDB filter over the
     * stored datum document, for example {@code {"metadata.kind": "image"}}).
     *
     * @return a copy of the filter (a {@code BsonDocument}); empty for every datum
     */
    public Bson filter() {
        return filter.clone();
    }

    /**
     * Returns a fingerprint of the filter (SHA-256 of its canonical extended JSON, first 8 bytes): tokens carry it so
     * a position is never resumed with another filter. Equal filters, key order included, have equal fingerprints.
     *
     * @return the fingerprint
     */
    public long filterFingerprint() {
        return filterFingerprint;
    }

    /**
     * Returns where the feed starts.
     *
     * @return the start; {@link Start#TOKEN} when {@link #token()} is set
     */
    public Start start() {
        return start;
    }

    /**
     * Returns the position the feed resumes from.
     *
     * @return the token, or null unless {@link #start()} is {@link Start#TOKEN}
     */
    public @Nullable FeedToken token() {
        return token;
    }

    /**
     * Returns the reorder window of the polling tail: see {@link #DEFAULT_REORDER_WINDOW}.
     *
     * @return the window
     */
    public Duration reorderWindow() {
        return reorderWindow;
    }

    /**
     * Returns the pause between polls once the feed has caught up.
     *
     * @return the interval
     */
    public Duration pollInterval() {
        return pollInterval;
    }

    /**
     * Returns how many ids one server call reads, which also bounds the datums held for a slow subscriber.
     *
     * @return the batch size
     */
    public int batchSize() {
        return batchSize;
    }

    /**
     * Returns which mechanism follows the collection.
     *
     * @return the source
     */
    public Source source() {
        return source;
    }

    @Override
    public String toString() {
        return "WatchOptions{filter=" + filter.toJson() + ", start=" + start
                + (token != null ? ", token=" + token : "") + ", reorderWindow=" + reorderWindow
                + ", pollInterval=" + pollInterval + ", batchSize=" + batchSize + ", source=" + source + "}";
    }

    private static long fingerprint(BsonDocument filter) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256")
                    .digest(filter.toJson(CANONICAL).getBytes(StandardCharsets.UTF_8));
            long value = 0;
            for (int i = 0; i < Long.BYTES; i++) {
                value = (value << 8) | (digest[i] & 0xff);
            }
            return value;
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    /** Builds {@link WatchOptions}. Not thread-safe. */
    public static final class Builder {
        private BsonDocument filter = new BsonDocument();
        private Start start = Start.NOW;
        private @Nullable FeedToken token;
        private Duration reorderWindow = DEFAULT_REORDER_WINDOW;
        private Duration pollInterval = DEFAULT_POLL_INTERVAL;
        private int batchSize = DEFAULT_BATCH_SIZE;
        private Source source = Source.AUTO;

        private Builder() {
        }

        /**
         * Sets the filter datums must match: a MongoDB filter over the stored datum document, as a query level's
         * (for example {@code Filters.eq("metadata.kind", "image")}). It is checked like a query's filters when the
         * watch starts (known operators, no server-side JavaScript, no catastrophic regular expression).
         *
         * @param filter the filter; null or empty for every datum
         * @return this builder
         */
        public Builder filter(@Nullable Bson filter) {
            this.filter = filter == null ? new BsonDocument() : filter.toBsonDocument().clone();
            return this;
        }

        /**
         * Starts after the datums visible when the watch starts (the default).
         *
         * @return this builder
         */
        public Builder fromNow() {
            this.start = Start.NOW;
            this.token = null;
            return this;
        }

        /**
         * Starts before every datum: the lake's current datums are delivered first, in {@code _id} order.
         *
         * @return this builder
         */
        public Builder fromBeginning() {
            this.start = Start.BEGINNING;
            this.token = null;
            return this;
        }

        /**
         * Resumes at a stored position: the datums after it are delivered, none before it.
         *
         * @param token a token from {@link FeedEvent#token()} or {@link io.datalake.Datalake#feedPosition}, made for
         *     the same filter
         * @return this builder
         * @throws InvalidArgumentException if {@code token} is null
         */
        public Builder from(FeedToken token) {
            if (token == null) {
                throw new InvalidArgumentException("watch: from(token) needs a token (use fromNow() or "
                        + "fromBeginning() otherwise)");
            }
            this.start = Start.TOKEN;
            this.token = token;
            return this;
        }

        /**
         * Sets the reorder window of the polling tail: more than the largest clock difference between writers (and
         * the watcher) plus the longest insert. A larger window costs a larger re-read per poll and larger tokens.
         *
         * @param window {@link #MIN_REORDER_WINDOW} to {@link #MAX_REORDER_WINDOW}
         * @return this builder
         * @throws InvalidArgumentException if null or out of range
         */
        public Builder reorderWindow(Duration window) {
            if (window == null || window.compareTo(MIN_REORDER_WINDOW) < 0
                    || window.compareTo(MAX_REORDER_WINDOW) > 0) {
                throw new InvalidArgumentException("watch: reorder window must be " + MIN_REORDER_WINDOW + " to "
                        + MAX_REORDER_WINDOW + ", got " + window);
            }
            this.reorderWindow = window;
            return this;
        }

        /**
         * Sets the pause between polls once the feed has caught up (the latency of the polling tail).
         *
         * @param interval {@link #MIN_POLL_INTERVAL} to {@link #MAX_POLL_INTERVAL}
         * @return this builder
         * @throws InvalidArgumentException if null or out of range
         */
        public Builder pollInterval(Duration interval) {
            if (interval == null || interval.compareTo(MIN_POLL_INTERVAL) < 0
                    || interval.compareTo(MAX_POLL_INTERVAL) > 0) {
                throw new InvalidArgumentException("watch: poll interval must be " + MIN_POLL_INTERVAL + " to "
                        + MAX_POLL_INTERVAL + ", got " + interval);
            }
            this.pollInterval = interval;
            return this;
        }

        /**
         * Sets how many ids one server call reads.
         *
         * @param batchSize 1 to {@link #MAX_BATCH_SIZE}
         * @return this builder
         * @throws InvalidArgumentException if out of range
         */
        public Builder batchSize(int batchSize) {
            if (batchSize < 1 || batchSize > MAX_BATCH_SIZE) {
                throw new InvalidArgumentException("watch: batch size must be 1 to " + MAX_BATCH_SIZE + ", got "
                        + batchSize);
            }
            this.batchSize = batchSize;
            return this;
        }

        /**
         * Sets which mechanism follows the collection.
         *
         * @param source the source
         * @return this builder
         * @throws InvalidArgumentException if null
         */
        public Builder source(Source source) {
            if (source == null) {
                throw new InvalidArgumentException("watch: source must not be null");
            }
            this.source = source;
            return this;
        }

        /**
         * Builds the options.
         *
         * @return the options
         */
        public WatchOptions build() {
            return new WatchOptions(this);
        }
    }
}
