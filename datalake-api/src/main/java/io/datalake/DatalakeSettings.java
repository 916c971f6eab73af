package io.datalake;

import io.datalake.schema.SchemaSettings;
import java.time.Clock;
import java.time.Duration;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Immutable settings of a lake. Build with {@link #builder()}; every setting has a default, so
 * {@code DatalakeSettings.builder().build()} describes an embedded lake.
 *
 * <pre>{@code
 * DatalakeSettings settings = DatalakeSettings.builder()
 *         .mongoUri("mongodb://db.example.com:27017")
 *         .database("vision")
 *         .build();
 * }</pre>
 *
 * <p>{@link #toString()} never prints the password of the MongoDB URI.
 */
public final class DatalakeSettings {
    /** Database used when none is set. */
    public static final String DEFAULT_DATABASE = "datalake";
    /** Collection used when none is set; the Mindtrace Python datalake's collection name. */
    public static final String DEFAULT_COLLECTION = "Datum";
    /** Datums per {@code insertMany} and ids per {@code $in} lookup when none is set. */
    public static final int DEFAULT_BATCH_SIZE = 1000;
    /** Time limit of every server operation when none is set. */
    public static final Duration DEFAULT_OPERATION_TIMEOUT = Duration.ofSeconds(60);
    /** The longest operation time limit accepted: MongoDB's {@code maxTimeMS} is a 32-bit count of milliseconds. */
    public static final Duration MAX_OPERATION_TIMEOUT = Duration.ofMillis(Integer.MAX_VALUE);
    /** Default actor recorded in dataset versions and tag moves: the JVM's user name. */
    public static final String DEFAULT_ACTOR = System.getProperty("user.name", "unknown");
    /** Whether image payloads get {@code metadata.image_info} when none is set: on. */
    public static final boolean DEFAULT_IMAGE_METADATA = true;

    private static final Pattern URI_PASSWORD = Pattern.compile("(://[^:/@]*:)[^@/]*@");
    private static final Pattern COLLECTION_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_.-]*");

    private final @Nullable String mongoUri;
    private final String database;
    private final String collection;
    private final Clock clock;
    private final int batchSize;
    private final RegistrySettings registry;
    private final Duration operationTimeout;
    private final String actor;
    private final SchemaSettings schemas;
    private final boolean imageMetadata;

    private DatalakeSettings(Builder b) {
        this.mongoUri = b.mongoUri;
        this.database = b.database;
        this.collection = b.collection;
        this.clock = b.clock;
        this.batchSize = b.batchSize;
        this.registry = b.registry;
        this.operationTimeout = b.operationTimeout;
        this.actor = b.actor;
        this.schemas = b.schemas;
        this.imageMetadata = b.imageMetadata;
    }

    /**
     * Returns a builder with every setting at its default.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Returns a builder initialized with these settings.
     *
     * @return a new builder holding these settings
     */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.mongoUri = mongoUri;
        b.database = database;
        b.collection = collection;
        b.clock = clock;
        b.batchSize = batchSize;
        b.registry = registry;
        b.operationTimeout = operationTimeout;
        b.actor = actor;
        b.schemas = schemas;
        b.imageMetadata = imageMetadata;
        return b;
    }

    /**
     * Returns the MongoDB connection string.
     *
     * @return the URI, or null to start an embedded in-process server
     */
    public @Nullable String mongoUri() {
        return mongoUri;
    }

    /**
     * Returns the database name.
     *
     * @return the database name, {@value #DEFAULT_DATABASE} by default
     */
    public String database() {
        return database;
    }

    /**
     * Returns the collection that holds the datums.
     *
     * @return the collection name, {@value #DEFAULT_COLLECTION} by default
     */
    public String collection() {
        return collection;
    }

    /**
     * Returns the clock that stamps {@code added_at}.
     *
     * @return the clock, UTC system clock by default
     */
    public Clock clock() {
        return clock;
    }

    /**
     * Returns how many datums go into one {@code insertMany} and how many ids into one {@code $in} lookup.
     *
     * @return the batch size, {@value #DEFAULT_BATCH_SIZE} by default
     */
    public int batchSize() {
        return batchSize;
    }

    /**
     * Returns the payload registry settings: default registry, inline size limit, payload concurrency, backend
     * properties.
     *
     * @return the registry settings, {@link RegistrySettings#defaults()} by default
     */
    public RegistrySettings registry() {
        return registry;
    }

    /**
     * Returns the time limit of every server operation (each find with its cursor, insert, delete, count,
     * aggregation, index creation, and the wait for a server and a connection). It is sent to the server as
     * {@code maxTimeMS} and enforced by the driver on the client side too, so an operation fails with
     * {@link DatalakeTimeoutException} once it is spent even if the server never answers. A cursor's limit covers
     * its whole life, including the time the consumer takes between rows; stream longer queries through
     * {@link Datalake#withOperationTimeout}.
     *
     * @return the limit, {@link #DEFAULT_OPERATION_TIMEOUT} (60 s) by default
     */
    public Duration operationTimeout() {
        return operationTimeout;
    }

    /**
     * Returns who is acting: a free-form name recorded in the dataset versions and tag moves this lake makes.
     *
     * @return the actor, {@link #DEFAULT_ACTOR} by default
     */
    public String actor() {
        return actor;
    }

    /**
     * Returns the schema validation settings: kind selector, validation mode, listener, cache TTL.
     *
     * @return the schema settings, {@link SchemaSettings#defaults()} by default
     */
    public SchemaSettings schemas() {
        return schemas;
    }

    /**
     * Returns whether a payload stored in a registry with an {@code image/*} content type (the caller's, else the
     * detected one) gets {@code metadata.image_info}: format, width, height and, when its EXIF has them, orientation
     * and capture time, read from the first MiB of the payload's bytes as they are stored (headers only, never
     * pixel data). An image that cannot be read is stored all the same, with {@code image_info.error} saying why;
     * a caller's own {@code metadata.image_info} is kept as given. Other payloads are not inspected.
     *
     * @return true (the default, {@link #DEFAULT_IMAGE_METADATA}) to record image metadata
     */
    public boolean imageMetadata() {
        return imageMetadata;
    }

    @Override
    public String toString() {
        return "DatalakeSettings{mongoUri=" + (mongoUri == null ? "<embedded>" : redact(mongoUri))
                + ", database=" + database + ", collection=" + collection
                + ", batchSize=" + batchSize + ", operationTimeout=" + operationTimeout + ", clock=" + clock
                + ", registry=" + registry + ", schemas=" + schemas + ", imageMetadata=" + imageMetadata + "}";
    }

    /**
     * Checks an operation time limit.
     *
     * @param timeout the limit
     * @return the limit
     * @throws InvalidArgumentException if null, shorter than 1 ms or longer than {@link #MAX_OPERATION_TIMEOUT}
     */
    public static Duration requireOperationTimeout(Duration timeout) {
        if (timeout == null || timeout.compareTo(Duration.ofMillis(1)) < 0
                || timeout.compareTo(MAX_OPERATION_TIMEOUT) > 0) {
            throw new InvalidArgumentException("operationTimeout must be between 1 ms and " + MAX_OPERATION_TIMEOUT
                    + ", got " + timeout);
        }
        return timeout;
    }

    /**
     * Returns a MongoDB URI with its password replaced by {@code ***}, for logs and messages.
     *
     * @param uri a connection string
     * @return the same string without the password
     */
    public static String redact(String uri) {
        return URI_PASSWORD.matcher(uri).replaceFirst("$1***@");
    }

    /** Builder of {@link DatalakeSettings}. */
    public static final class Builder {
        private @Nullable String mongoUri;
        private String database = DEFAULT_DATABASE;
        private String collection = DEFAULT_COLLECTION;
        private Clock clock = Clock.systemUTC();
        private int batchSize = DEFAULT_BATCH_SIZE;
        private RegistrySettings registry = RegistrySettings.defaults();
        private Duration operationTimeout = DEFAULT_OPERATION_TIMEOUT;
        private String actor = DEFAULT_ACTOR;
        private SchemaSettings schemas = SchemaSettings.defaults();
        private boolean imageMetadata = DEFAULT_IMAGE_METADATA;

        private Builder() {
        }

        /**
         * Sets whether image payloads get {@code metadata.image_info}; see {@link DatalakeSettings#imageMetadata()}.
         *
         * @param imageMetadata false to store image payloads without reading their headers
         * @return this builder
         */
        public Builder imageMetadata(boolean imageMetadata) {
            this.imageMetadata = imageMetadata;
            return this;
        }

        /**
         * Sets the schema validation settings; see {@link DatalakeSettings#schemas()}.
         *
         * @param schemas the schema settings
         * @return this builder
         * @throws InvalidArgumentException if null
         */
        public Builder schemas(SchemaSettings schemas) {
            if (schemas == null) {
                throw new InvalidArgumentException("schemas must not be null");
            }
            this.schemas = schemas;
            return this;
        }

        /**
         * Sets who is acting, recorded in dataset versions and tag moves; see {@link DatalakeSettings#actor()}.
         *
         * @param actor a non-blank name of at most 256 characters, e.g. {@code "ci@train-42"}
         * @return this builder
         * @throws InvalidArgumentException if blank or too long
         */
        public Builder actor(String actor) {
            if (actor == null || actor.isBlank() || actor.length() > 256) {
                throw new InvalidArgumentException("actor must be a non-blank name of at most 256 characters, got "
                        + (actor == null ? null : "'" + actor + "'"));
            }
            this.actor = actor;
            return this;
        }

        /**
         * Sets the time limit of every server operation; see {@link DatalakeSettings#operationTimeout()}. It
         * replaces any {@code timeoutMS} given in the MongoDB connection string.
         *
         * @param timeout between 1 ms and {@link #MAX_OPERATION_TIMEOUT}
         * @return this builder
         * @throws InvalidArgumentException if null or out of range
         */
        public Builder operationTimeout(Duration timeout) {
            this.operationTimeout = requireOperationTimeout(timeout);
            return this;
        }

        /**
         * Sets the MongoDB connection string.
         *
         * @param mongoUri a {@code mongodb://} or {@code mongodb+srv://} URI, or null for the embedded server
         * @return this builder
         * @throws InvalidArgumentException if the URI is blank or has another scheme
         */
        public Builder mongoUri(@Nullable String mongoUri) {
            if (mongoUri != null && !(mongoUri.startsWith("mongodb://") || mongoUri.startsWith("mongodb+srv://"))) {
                throw new InvalidArgumentException("mongoUri must start with mongodb:// or mongodb+srv://, got '"
                        + redact(mongoUri) + "'");
            }
            this.mongoUri = mongoUri;
            return this;
        }

        /**
         * Sets the database name.
         *
         * @param database a valid MongoDB database name
         * @return this builder
         * @throws InvalidArgumentException if the name is empty or has characters MongoDB forbids
         */
        public Builder database(String database) {
            if (database == null || database.isEmpty() || database.length() > 63
                    || database.chars().anyMatch(c -> c < 0x20 || "/\\. \"$*<>:|?".indexOf(c) >= 0)) {
                // MongoDB refuses these characters (and NUL) in database names on every platform it runs on.
                String shown = database == null ? null : database.replace("\0", "\\0");
                throw new InvalidArgumentException("invalid database name '" + shown
                        + "': 1 to 63 characters, none of / \\ . space \" $ * < > : | ? or control characters");
            }
            this.database = database;
            return this;
        }

        /**
         * Sets the collection that holds the datums.
         *
         * @param collection a collection name
         * @return this builder
         * @throws InvalidArgumentException if the name is not a plain collection name
         */
        public Builder collection(String collection) {
            if (collection == null || !COLLECTION_NAME.matcher(collection).matches()
                    || collection.startsWith("system.")) {
                throw new InvalidArgumentException("invalid collection name '" + collection + "'");
            }
            this.collection = collection;
            return this;
        }

        /**
         * Sets the clock that stamps {@code added_at}; tests inject a fixed or stepping clock.
         *
         * @param clock the clock
         * @return this builder
         * @throws InvalidArgumentException if the clock is null
         */
        public Builder clock(Clock clock) {
            if (clock == null) {
                throw new InvalidArgumentException("clock must not be null");
            }
            this.clock = clock;
            return this;
        }

        /**
         * Sets the batch size of inserts and {@code $in} lookups.
         *
         * @param batchSize between 1 and 100,000
         * @return this builder
         * @throws InvalidArgumentException if out of range
         */
        public Builder batchSize(int batchSize) {
            if (batchSize < 1 || batchSize > 100_000) {
                throw new InvalidArgumentException("batchSize must be between 1 and 100000, got " + batchSize);
            }
            this.batchSize = batchSize;
            return this;
        }

        /**
         * Sets the payload registry settings.
         *
         * @param registry the registry settings
         * @return this builder
         * @throws InvalidArgumentException if the settings are null
         */
        public Builder registry(RegistrySettings registry) {
            if (registry == null) {
                throw new InvalidArgumentException("registry must not be null");
            }
            this.registry = registry;
            return this;
        }

        /**
         * Builds the settings.
         *
         * @return immutable settings
         */
        public DatalakeSettings build() {
            return new DatalakeSettings(this);
        }
    }
}
