package io.datalake.mongo.internal.dataset;

import com.mongodb.client.model.IndexModel;
import com.mongodb.client.model.IndexOptions;
import java.util.List;
import org.bson.Document;

/**
 * Indexes of the dataset collections. No partial indexes (the embedded server ignores their filters): uniqueness
 * of published numbers rides on the {@code slot} field, which every version has. Every unique index here is valid
 * on sharded MongoDB with the shard keys the README recommends (versions, datasets, tag moves unsharded; chunks on
 * {@code {v: 1, c: 1}}).
 */
final class DatasetIndexes {
    private DatasetIndexes() {
    }

    static List<IndexModel> versions() {
        return List.of(
                // "draft:<id>" for a draft, "<name>@<n>" once published: two publishers of one number cannot both
                // win.
                new IndexModel(new Document(MongoDatasets.SLOT, 1), new IndexOptions().unique(true)),
                new IndexModel(new Document(MongoDatasets.DATASET, 1).append(MongoDatasets.NUMBER, -1)),
                new IndexModel(new Document(MongoDatasets.STATE, 1).append(MongoDatasets.CREATED_AT, 1)));
    }

    static List<IndexModel> chunks() {
        return List.of(
                new IndexModel(new Document(MongoDatasets.CHUNK_VERSION, 1).append(MongoDatasets.CHUNK_INDEX, 1),
                        new IndexOptions().unique(true)),
                // isRetained: which chunks of published versions hold an id (multikey over the flattened ids).
                new IndexModel(new Document(MongoDatasets.CHUNK_IDS, 1)));
    }

    static List<IndexModel> tagMoves() {
        return List.of(new IndexModel(new Document("dataset", 1).append("at", 1)));
    }
}
