package io.datalake.mongo.internal.gc;

import com.mongodb.ReadPreference;
import com.mongodb.reactivestreams.client.MongoCollection;
import com.mongodb.reactivestreams.client.MongoDatabase;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.bson.Document;

/**
 * The collection {@code <C>.payloadGc} where a garbage collection announces the objects it is about to delete and
 * a writer looks after inserting its datums. One record per registry object: {@code _id} is the registry's
 * canonical URI and the key joined by a newline (neither can contain one), {@code state} one of {@link #CLAIMED},
 * {@link #DELETING}, {@link #DELETED}, {@code gen} the claiming run's id, {@code at} the time of the last change.
 * Read from and written to the primary only: the race argument needs every read to see every acknowledged write.
 */
public final class GcRecords {
    /** Suffix of the collection's name after the datum collection's. */
    public static final String SUFFIX = ".payloadGc";
    /** A collection run decided the object is unreferenced and is re-checking it; a writer may cancel the claim. */
    public static final String CLAIMED = "CLAIMED";
    /** The claim was not cancelled; the run is deleting the object. */
    public static final String DELETING = "DELETING";
    /** The object was deleted (or its deletion failed); kept for {@link #RETENTION}, then pruned. */
    public static final String DELETED = "DELETED";
    /**
     * How long a record outlives its last change. It must exceed the time between a writer's insert and its lookup
     * (one operation time limit) by far: a writer that finds no record trusts that no run deleted its object.
     */
    public static final Duration RETENTION = Duration.ofHours(1);

    static final String ID = "_id";
    static final String STATE = "state";
    static final String GEN = "gen";
    static final String AT = "at";
    static final String URI = "uri";
    static final String KEY = "key";

    private GcRecords() {
    }

    /**
     * Returns the records collection of a lake, on the primary, with the operation time limit.
     *
     * @param database the lake's database
     * @param datumCollection the datum collection's name
     * @param timeout the operation time limit
     * @return the collection
     */
    public static MongoCollection<Document> collection(MongoDatabase database, String datumCollection,
            Duration timeout) {
        return database.getCollection(datumCollection + SUFFIX)
                .withReadPreference(ReadPreference.primary())
                .withTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** The record id of an object: canonical URI and key, which contain no newline. */
    static String id(String uri, String key) {
        return uri + "\n" + key;
    }
}
