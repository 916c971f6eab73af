package io.datalake.mongo.internal;

import com.mongodb.client.model.IndexModel;
import com.mongodb.client.model.IndexOptions;
import dev.morphia.annotations.Field;
import dev.morphia.annotations.Index;
import dev.morphia.annotations.Indexes;
import dev.morphia.utils.IndexType;
import java.util.ArrayList;
import java.util.List;
import org.bson.Document;

/**
 * Turns the Morphia {@link Indexes} declared on {@link DatumEntity} into driver index models, so the annotations
 * stay the single source of truth while the indexes are created on the configured collection (Morphia's own
 * {@code ensureIndexes} only knows the annotated collection name and needs a synchronous client). Two indexes are
 * added here rather than annotated: the sparse {@value #IMPORT_PATH} and {@value #IMPORT_KEY} indexes, whose option
 * the conversion does not carry.
 */
final class IndexDefinitions {
    /** Field the command line's {@code import} records each file's path in, relative to the imported folder. */
    static final String IMPORT_PATH = "metadata.path";
    /** Field the COCO/VOC imports (datalake-io) record each datum's import key in, looked up a batch at a time. */
    static final String IMPORT_KEY = "metadata.import_key";

    private IndexDefinitions() {
    }

    static List<IndexModel> forDatums() {
        Indexes indexes = DatumEntity.class.getAnnotation(Indexes.class);
        List<IndexModel> models = new ArrayList<>();
        for (Index index : indexes.value()) {
            Document keys = new Document();
            for (Field field : index.fields()) {
                keys.append(field.value(), field.type() == IndexType.DESC ? -1 : 1);
            }
            models.add(new IndexModel(keys));
        }
        // The command line's import finds files it already imported by metadata.path, a batch at a time. Sparse:
        // datums without the field cost nothing. Not partial: the embedded server ignores partial filters.
        models.add(new IndexModel(new Document(IMPORT_PATH, 1), new IndexOptions().sparse(true)));
        // Same for the COCO/VOC imports' keys. Not unique: a unique index cannot be partial on the embedded server
        // nor secondary on a sharded collection (the imports document what concurrent runs may duplicate).
        models.add(new IndexModel(new Document(IMPORT_KEY, 1), new IndexOptions().sparse(true)));
        return models;
    }
}
