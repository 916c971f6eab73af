package io.datalake.mongo;

import static org.assertj.core.api.Assertions.assertThat;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCollection;
import io.datalake.Datalake;
import io.datalake.DatalakeSettings;
import io.datalake.Datum;
import io.datalake.NewDatum;
import io.datalake.lineage.LineageDirection;
import io.datalake.lineage.LineageNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import org.bson.Document;
import org.bson.types.ObjectId;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;

/**
 * Foreign {@code derived_from} values (a string, an array holding a parent id, an array naming its own document)
 * are skipped alike by every walk: the children lookup, the descendant walk's lookup and scan paths, the lineage walk
 * and the deepest chain of the statistics. None fails, none loops, none counts them as children.
 */
class EmbeddedForeignLinksTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(20);

    private final DatalakeSettings settings = TestLakes.freshSettings().batchSize(16).build();
    private final Datalake lake = Datalakes.create(settings);
    private final MongoClient client = MongoClients.create(TestLakes.connectionString());
    private final MongoCollection<Document> raw =
            client.getDatabase(settings.database()).getCollection(settings.collection());

    @AfterEach
    void close() {
        lake.close();
        client.close();
    }

    /** Documents another client wrote under {@code parent}, none of which is a child in this library's model. */
    private void insertForeignChildrenOf(ObjectId parent) {
        ObjectId selfNaming = new ObjectId();
        raw.insertMany(List.of(
                new Document("_id", new ObjectId()).append("derived_from", parent.toHexString())
                        .append("added_at", new Date()),
                new Document("_id", new ObjectId()).append("derived_from", List.of(parent))
                        .append("added_at", new Date()),
                new Document("_id", selfNaming).append("derived_from", List.of(parent, selfNaming))
                        .append("added_at", new Date())));
    }

    @Test
    void foreignParentsAreSkippedOnTheLookupPath() {
        Datum root = lake.addDatum("root", null).block(TIMEOUT);
        Datum child = lake.addDatum("child", null, null, root.id()).block(TIMEOUT);
        insertForeignChildrenOf(child.id());

        // A level of one datum is resolved by lookups.
        assertThat(lake.getIndirectlyDerivedData(root.id()).collectList().block(TIMEOUT))
                .containsExactly(root.id(), child.id());
        assertThat(lake.getLineage(root.id(), LineageDirection.DOWN).block(TIMEOUT).nodes())
                .extracting(LineageNode::id).containsExactly(root.id(), child.id());
        assertThat(lake.getStats().block(TIMEOUT).deepestChain()).isEqualTo(2);
        assertThat(lake.getDirectlyDerivedData(root.id()).collectList().block(TIMEOUT)).containsExactly(child.id());
        assertThat(lake.getDirectlyDerivedData(child.id()).collectList().block(TIMEOUT)).isEmpty();
    }

    @Test
    void foreignParentsAreSkippedOnTheScanPath() {
        Datum root = lake.addDatum("root", null).block(TIMEOUT);
        // More children than LookupOrScan.MIN_SCAN_LEVEL (64) and than 0.1 % of the lake: their own children are
        // found by a scan of the lake.
        int width = 100;
        List<Datum> children = lake.addData(Flux.range(0, width)
                        .map(i -> NewDatum.builder().data("child " + i).derivedFrom(root.id()).build()))
                .collectList().block(TIMEOUT);
        Datum grandchild = lake.addDatum("grandchild", null, null, children.get(7).id()).block(TIMEOUT);
        insertForeignChildrenOf(children.get(7).id());
        insertForeignChildrenOf(grandchild.id());

        List<ObjectId> expected = new ArrayList<>();
        expected.add(root.id());
        children.forEach(c -> expected.add(c.id()));
        expected.add(grandchild.id());
        assertThat(lake.getIndirectlyDerivedData(root.id()).collectList().block(TIMEOUT))
                .containsExactlyElementsOf(expected);
        assertThat(lake.getStats().block(TIMEOUT).deepestChain()).isEqualTo(3);
    }
}
