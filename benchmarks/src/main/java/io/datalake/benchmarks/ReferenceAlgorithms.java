package io.datalake.benchmarks;

import static com.mongodb.client.model.Filters.eq;

import com.mongodb.reactivestreams.client.MongoCollection;
import io.datalake.Datalake;
import io.datalake.NewDatum;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.bson.Document;
import org.bson.types.ObjectId;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;

/**
 * The Mindtrace Python datalake's algorithms, ported faithfully onto the same driver and server: what a user of
 * the reference gets, round trip for round trip. Each method keeps the reference's I/O pattern (how many finds,
 * what is awaited before what); only the language changes.
 */
final class ReferenceAlgorithms {
    /**
     * In-flight reads of the reference's {@code get_data}: it gathers one {@code get_datum} per id at once, so
     * the driver's connection pool (100 by default, as in Motor/PyMongo) is the only bound.
     */
    static final int GATHER_CONCURRENCY = 100;

    private ReferenceAlgorithms() {
    }

    /** {@code add_datum} called once per datum, each insert awaited before the next. */
    static void addOneAtATime(Datalake lake, List<NewDatum> datums) {
        for (NewDatum datum : datums) {
            lake.addDatum(datum).block();
        }
    }

    /** {@code get_data}: one {@code get_datum} (one find) per id, all gathered. */
    static long getOnePerId(Datalake lake, List<ObjectId> ids) {
        Long count = Flux.fromIterable(ids).flatMap(lake::getDatum, GATHER_CONCURRENCY).count().block();
        return count == null ? 0 : count;
    }

    /**
     * {@code get_indirectly_derived_data}: breadth-first, one {@code find({derived_from: id})} per visited node,
     * each awaited in turn. (The reference checks "already queued" on a list; a set here only spares the
     * baseline CPU.)
     */
    static List<ObjectId> bfs(MongoCollection<Document> collection, ObjectId root) {
        Set<ObjectId> visited = new HashSet<>();
        ArrayDeque<ObjectId> queue = new ArrayDeque<>();
        Set<ObjectId> queued = new HashSet<>();
        List<ObjectId> result = new ArrayList<>();
        queue.add(root);
        queued.add(root);
        while (!queue.isEmpty()) {
            ObjectId current = queue.poll();
            queued.remove(current);
            if (visited.add(current)) {
                result.add(current);
                List<Document> children = Flux.from(collection.find(eq("derived_from", current))).collectList().block();
                for (Document child : children == null ? List.<Document>of() : children) {
                    ObjectId childId = child.getObjectId("_id");
                    if (!visited.contains(childId) && queued.add(childId)) {
                        queue.add(childId);
                    }
                }
            }
        }
        return result;
    }

    /**
     * {@code query_data_legacy}: one find for the base level, then for every base row and every derived level
     * one find of that level's filter with {@code derived_from} bound to the row's pick, awaited in turn; the
     * strategy picks among the full documents returned. Returns the rows.
     *
     * @param query levels as the reference takes them (filters plus {@code column}, {@code strategy},
     *     {@code derived_from})
     * @param datumsWanted rows wanted, or null for all
     */
    static List<Map<String, ObjectId>> legacyQuery(MongoCollection<Document> collection, List<Document> query,
            @Nullable Integer datumsWanted, Random random) {
        Document base = new Document(query.get(0));
        String baseStrategy = (String) removeOr(base, "strategy", "latest");
        String baseColumn = (String) base.remove("column");
        List<Document> entries = Flux.from(collection.find(base)).collectList().block();
        entries = entries == null ? new ArrayList<>() : new ArrayList<>(entries);
        if (datumsWanted != null) {
            switch (baseStrategy) {
                case "latest" -> entries.sort(Comparator.comparing((Document d) -> d.getDate("added_at")).reversed());
                case "earliest" -> entries.sort(Comparator.comparing((Document d) -> d.getDate("added_at")));
                case "random" -> Collections.shuffle(entries, random);
                case "quickest" -> { }
                default -> throw new IllegalArgumentException("invalid strategy " + baseStrategy);
            }
        }
        List<Map<String, ObjectId>> rows = new ArrayList<>();
        for (Document entry : entries) {
            Map<String, ObjectId> row = new LinkedHashMap<>();
            row.put(baseColumn, entry.getObjectId("_id"));
            boolean complete = true;
            for (Document level : query.subList(1, query.size())) {
                Document filter = new Document(level);
                String strategy = (String) removeOr(filter, "strategy", "latest");
                String column = (String) filter.remove("column");
                if (filter.containsKey("derived_from")) {
                    filter.put("derived_from", row.get((String) filter.get("derived_from")));
                }
                List<Document> found = Flux.from(collection.find(filter)).collectList().block();
                found = found == null ? List.of() : found;
                if ("missing".equals(strategy) ? !found.isEmpty() : found.isEmpty()) {
                    complete = false;
                    break;
                }
                switch (strategy) {
                    case "latest" -> row.put(column, found.stream()
                            .max(Comparator.comparing((Document d) -> d.getDate("added_at"))).orElseThrow()
                            .getObjectId("_id"));
                    case "earliest" -> row.put(column, found.stream()
                            .min(Comparator.comparing((Document d) -> d.getDate("added_at"))).orElseThrow()
                            .getObjectId("_id"));
                    case "random" -> row.put(column, found.get(random.nextInt(found.size())).getObjectId("_id"));
                    case "quickest" -> row.put(column, found.get(0).getObjectId("_id"));
                    case "missing" -> { }
                    default -> throw new IllegalArgumentException("invalid strategy " + strategy);
                }
            }
            if (complete) {
                rows.add(row);
            }
            if (datumsWanted != null && rows.size() >= datumsWanted) {
                break;
            }
        }
        return rows;
    }

    private static Object removeOr(Document document, String key, Object fallback) {
        Object value = document.remove(key);
        return value == null ? fallback : value;
    }
}
