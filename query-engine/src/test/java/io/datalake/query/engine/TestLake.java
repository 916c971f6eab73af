package io.datalake.query.engine;

import com.mongodb.reactivestreams.client.MongoCollection;
import java.util.ArrayList;
import java.util.Date;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.bson.Document;
import org.bson.conversions.Bson;
import org.bson.types.ObjectId;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * A small lake written straight into a fresh collection in the Mindtrace layout, with chosen {@code added_at}
 * values (so tests control ties) and names for the datums.
 */
final class TestLake {
    /** A datum as the tests know it. */
    record Datum(String name, ObjectId id, @Nullable ObjectId parent, long addedAt, Document data) {
    }

    final MongoCollection<Document> collection;
    private final Map<String, Datum> byName = new LinkedHashMap<>();
    private final List<Datum> pending = new ArrayList<>();

    /** A lake in a fresh collection of the shared embedded server. */
    TestLake() {
        this(EmbeddedServer.freshCollection());
    }

    /** A lake in the given (empty) collection, on any server. */
    TestLake(MongoCollection<Document> collection) {
        this.collection = collection;
    }

    /** Adds a datum; {@code parent} names an earlier datum or is null for a root. */
    TestLake add(String name, @Nullable String parent, long addedAt, Document data) {
        return add(name, new ObjectId(), parent, addedAt, data);
    }

    TestLake add(String name, ObjectId id, @Nullable String parent, long addedAt, Document data) {
        ObjectId parentId = parent == null ? null : datum(parent).id();
        Datum d = new Datum(name, id, parentId, addedAt, data);
        if (byName.putIfAbsent(name, d) != null) {
            throw new IllegalArgumentException("duplicate datum name " + name);
        }
        pending.add(d);
        return this;
    }

    /** Writes the datums added since the last call, in the order they were added. */
    TestLake insert() {
        if (!pending.isEmpty()) {
            List<Document> docs = new ArrayList<>();
            for (Datum d : pending) {
                docs.add(new Document("_id", d.id()).append("data", d.data()).append("registry_uri", null)
                        .append("registry_key", null).append("derived_from", d.parent())
                        .append("metadata", new Document()).append("added_at", new Date(d.addedAt())));
            }
            Mono.from(collection.insertMany(docs)).block();
            pending.clear();
        }
        return this;
    }

    Datum datum(String name) {
        Datum d = byName.get(name);
        if (d == null) {
            throw new IllegalArgumentException("no datum " + name);
        }
        return d;
    }

    ObjectId id(String name) {
        return datum(name).id();
    }

    List<Datum> datums() {
        return new ArrayList<>(byName.values());
    }

    /** Returns the names of ids, for readable assertions. */
    String name(ObjectId id) {
        for (Datum d : byName.values()) {
            if (d.id().equals(id)) {
                return d.name();
            }
        }
        return id.toHexString();
    }

    /** Returns the ids matching a filter, as MongoDB's own find says. */
    Set<ObjectId> matching(Bson filter) {
        return new HashSet<>(Flux.from(collection.find(filter).projection(new Document("_id", 1)))
                .map(doc -> doc.getObjectId("_id")).collectList().block());
    }

    /** Returns one row of named datums, in the given column order. */
    Map<String, ObjectId> row(String... columnsAndNames) {
        Map<String, ObjectId> row = new LinkedHashMap<>();
        for (int i = 0; i < columnsAndNames.length; i += 2) {
            row.put(columnsAndNames[i], id(columnsAndNames[i + 1]));
        }
        return row;
    }
}
