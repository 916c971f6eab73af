package io.datalake.query.engine.internal.traversal;

import static com.mongodb.client.model.Projections.include;
import static com.mongodb.client.model.Sorts.ascending;

import com.mongodb.reactivestreams.client.MongoCollection;
import io.datalake.query.engine.DatumFields;
import io.datalake.query.engine.ServerFailures;
import io.datalake.query.engine.internal.link.ChildLookup;
import io.datalake.query.engine.internal.link.Link;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.bson.types.ObjectId;
import reactor.core.publisher.Mono;

/** The children of datums, for {@code getDirectlyDerivedData}. */
public final class DirectChildren {
    private static final String OPERATION = "getDirectlyDerivedData";

    private DirectChildren() {
    }

    /**
     * Looks up the children of many parents with one {@link ChildLookup} query per batch.
     *
     * @param links the collection of datum documents, read as links
     * @param parents the parents, without duplicates
     * @param batchSize parents per query
     * @return each parent that has children mapped to them, oldest first (by {@code added_at}, then {@code _id});
     *     documents with a foreign {@code _id} or {@code derived_from} are skipped with a warning
     */
    public static Mono<Map<ObjectId, List<ObjectId>>> byParent(
            MongoCollection<Link> links, List<ObjectId> parents, int batchSize) {
        return ChildLookup.find(links, parents, batchSize, null, find -> find
                        .projection(include(DatumFields.ID, DatumFields.DERIVED_FROM))
                        .sort(ascending(DatumFields.ADDED_AT, DatumFields.ID)))
                .onErrorMap(e -> ServerFailures.translate("looking up children of " + parents.size() + " datums", e))
                .filter(link -> ForeignDocuments.isChild(link, OPERATION))
                .collect(HashMap::new, (map, link) ->
                        map.computeIfAbsent(link.parent(), k -> new ArrayList<>()).add(link.id()));
    }
}
