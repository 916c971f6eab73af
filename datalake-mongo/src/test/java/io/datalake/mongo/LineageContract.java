package io.datalake.mongo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import io.datalake.BlockingDatalake;
import io.datalake.DatalakeSettings;
import io.datalake.Datum;
import io.datalake.DatumNotFoundException;
import io.datalake.InvalidArgumentException;
import io.datalake.NewDatum;
import io.datalake.lineage.Lineage;
import io.datalake.lineage.LineageDirection;
import io.datalake.lineage.LineageEdge;
import io.datalake.lineage.LineageNode;
import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.bson.Document;
import org.bson.types.ObjectId;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Lineage walks (ancestors, lineage graphs, limits, cycles written by other clients), run against the embedded
 * server in every build ({@link EmbeddedLineageTest}) and against a real MongoDB where Docker exists
 * ({@link MongoContainerLineageIT}).
 */
abstract class LineageContract {
    private static final AtomicInteger DATABASES = new AtomicInteger();

    private final List<AutoCloseable> toClose = new ArrayList<>();

    /**
     * Returns the connection string of the server under test.
     *
     * @return a MongoDB URI
     */
    protected abstract String connectionString();

    private DatalakeSettings.Builder freshSettings() {
        return DatalakeSettings.builder().mongoUri(connectionString())
                .database("lineage_" + DATABASES.incrementAndGet());
    }

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable c : toClose) {
            c.close();
        }
    }

    private BlockingDatalake lake(int batchSize) {
        BlockingDatalake lake = Datalakes.create(freshSettings().batchSize(batchSize).build()).blocking();
        toClose.add(lake);
        return lake;
    }

    private BlockingDatalake lake() {
        return lake(DatalakeSettings.DEFAULT_BATCH_SIZE);
    }

    /** image -> two classifications -> two boxes under the first one. */
    private static final class Tree {
        Datum image;
        Datum otherImage;
        Datum labelV1;
        Datum labelV2;
        Datum box1;
        Datum box2;
    }

    private static Tree tree(BlockingDatalake lake) {
        Tree t = new Tree();
        t.image = lake.addDatum(Map.of("type", "image", "path", "cats/001.jpg"), Map.of("project", "cv"));
        t.otherImage = lake.addDatum(Map.of("type", "image", "path", "cats/002.jpg"), Map.of("project", "cv"));
        t.labelV1 = lake.addDatum(ordered("type", "classification", "label", "cat", "score", 0.97),
                Map.of("model", "resnet v1"), null, t.image.id());
        t.labelV2 = lake.addDatum(ordered("type", "classification", "label", "tiger", "score", 0.61),
                Map.of("model", "resnet-v2"), null, t.image.id());
        t.box1 = lake.addDatum(Map.of("type", "bbox", "x", 10, "y", 20), null, null, t.labelV1.id());
        t.box2 = lake.addDatum(Map.of("type", "bbox", "x", 30, "y", 40), null, null, t.labelV1.id());
        return t;
    }

    /** A map that keeps the order of its keys, so summaries are predictable. */
    private static Map<String, Object> ordered(Object... keysAndValues) {
        Map<String, Object> map = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            map.put((String) keysAndValues[i], keysAndValues[i + 1]);
        }
        return map;
    }

    private static List<ObjectId> ids(Lineage lineage) {
        return lineage.nodes().stream().map(LineageNode::id).collect(Collectors.toList());
    }

    private static List<Integer> depths(Lineage lineage) {
        return lineage.nodes().stream().map(LineageNode::depth).collect(Collectors.toList());
    }

    @Test
    void ancestorsAreTheChainUpToTheRootNearestFirst() {
        BlockingDatalake lake = lake();
        Tree t = tree(lake);

        assertThat(lake.getAncestors(t.box2.id())).containsExactly(t.labelV1.id(), t.image.id());
        assertThat(lake.getAncestors(t.labelV2.id())).containsExactly(t.image.id());
        assertThat(lake.getAncestors(t.image.id())).isEmpty();
    }

    @Test
    void ancestorsOfAnUnknownOrNullIdFail() {
        BlockingDatalake lake = lake();
        ObjectId unknown = new ObjectId();

        assertThatThrownBy(() -> lake.getAncestors(unknown))
                .isInstanceOf(DatumNotFoundException.class)
                .hasMessageContaining(unknown.toHexString());
        assertThatThrownBy(() -> lake.getAncestors(null)).isInstanceOf(InvalidArgumentException.class);
    }

    @Test
    void ancestorsOfALongChainDoNotOverflow() {
        BlockingDatalake lake = lake();
        List<NewDatum> chain = new ArrayList<>();
        ObjectId parent = null;
        for (int i = 0; i < 400; i++) {
            ObjectId id = new ObjectId();
            chain.add(NewDatum.builder().id(id).data(Map.of("step", i)).derivedFrom(parent).build());
            parent = id;
        }
        lake.addData(chain);

        List<ObjectId> ancestors = lake.getAncestors(parent);

        assertThat(ancestors).hasSize(399);
        assertThat(ancestors.get(0)).isEqualTo(chain.get(398).id());
        assertThat(ancestors.get(398)).isEqualTo(chain.get(0).id());
        Lineage up = lake.getLineage(parent, LineageDirection.UP, 1000);
        assertThat(up.nodes()).hasSize(400);
        assertThat(up.top().id()).isEqualTo(chain.get(0).id());
        assertThat(up.top().depth()).isEqualTo(-399);
        assertThat(up.depthLimited()).isFalse();
    }

    @Test
    void downwardLineageHasEveryDescendantByLevelWithEdgesAndSummaries() {
        BlockingDatalake lake = lake();
        Tree t = tree(lake);

        Lineage lineage = lake.getLineage(t.image.id(), LineageDirection.DOWN, Lineage.DEFAULT_MAX_DEPTH);

        assertThat(ids(lineage)).containsExactly(
                t.image.id(), t.labelV1.id(), t.labelV2.id(), t.box1.id(), t.box2.id());
        assertThat(depths(lineage)).containsExactly(0, 1, 1, 2, 2);
        assertThat(lineage.edges()).containsExactly(
                new LineageEdge(t.image.id(), t.labelV1.id()),
                new LineageEdge(t.image.id(), t.labelV2.id()),
                new LineageEdge(t.labelV1.id(), t.box1.id()),
                new LineageEdge(t.labelV1.id(), t.box2.id()));
        assertThat(lineage.children(t.labelV1.id())).containsExactly(t.box1.id(), t.box2.id());
        assertThat(lineage.truncated()).isFalse();
        assertThat(lineage.depthLimited()).isFalse();
        assertThat(lineage.start()).isEqualTo(t.image.id());
        assertThat(lineage.startNode().addedAt()).isEqualTo(t.image.addedAt());

        LineageNode label = lineage.node(t.labelV1.id());
        assertThat(label.type()).isEqualTo("classification");
        assertThat(label.summary()).isEqualTo("classification label=cat score=0.97 model=\"resnet v1\"");
        assertThat(label.derivedFrom()).isEqualTo(t.image.id());
        assertThat(label.inRegistry()).isFalse();
        assertThat(lineage.node(t.image.id()).summary()).isEqualTo("image path=cats/001.jpg project=cv");
        assertThat(lineage.node(t.otherImage.id())).isNull();
    }

    @Test
    void upwardLineageIsTheAncestorChainTopmostFirst() {
        BlockingDatalake lake = lake();
        Tree t = tree(lake);

        Lineage lineage = lake.getLineage(t.box1.id(), LineageDirection.UP, Lineage.DEFAULT_MAX_DEPTH);

        assertThat(ids(lineage)).containsExactly(t.image.id(), t.labelV1.id(), t.box1.id());
        assertThat(depths(lineage)).containsExactly(-2, -1, 0);
        assertThat(lineage.top().id()).isEqualTo(t.image.id());
        assertThat(lineage.edges()).containsExactly(
                new LineageEdge(t.image.id(), t.labelV1.id()),
                new LineageEdge(t.labelV1.id(), t.box1.id()));
    }

    @Test
    void bothDirectionsGiveAncestorsAndDescendantsButNotSiblings() {
        BlockingDatalake lake = lake();
        Tree t = tree(lake);

        Lineage lineage = lake.getLineage(t.labelV1.id(), LineageDirection.BOTH, Lineage.DEFAULT_MAX_DEPTH);

        assertThat(ids(lineage)).containsExactly(t.image.id(), t.labelV1.id(), t.box1.id(), t.box2.id());
        assertThat(depths(lineage)).containsExactly(-1, 0, 1, 1);
        assertThat(lineage.edges()).hasSize(3);
    }

    @Test
    void depthLimitIsReportedOnlyWhenDeeperDatumsExist() {
        BlockingDatalake lake = lake();
        Tree t = tree(lake);

        Lineage one = lake.getLineage(t.image.id(), LineageDirection.DOWN, 1);
        assertThat(ids(one)).containsExactly(t.image.id(), t.labelV1.id(), t.labelV2.id());
        assertThat(one.depthLimited()).isTrue();

        Lineage two = lake.getLineage(t.image.id(), LineageDirection.DOWN, 2);
        assertThat(two.nodes()).hasSize(5);
        assertThat(two.depthLimited()).isFalse();

        Lineage zero = lake.getLineage(t.box1.id(), LineageDirection.BOTH, 0);
        assertThat(ids(zero)).containsExactly(t.box1.id());
        assertThat(zero.edges()).isEmpty();
        assertThat(zero.depthLimited()).isTrue();

        Lineage upOne = lake.getLineage(t.box1.id(), LineageDirection.UP, 1);
        assertThat(ids(upOne)).containsExactly(t.labelV1.id(), t.box1.id());
        assertThat(upOne.depthLimited()).isTrue();
        assertThat(lake.getLineage(t.box1.id(), LineageDirection.UP, 2).depthLimited()).isFalse();
    }

    @Test
    void nodeLimitTruncatesAndSaysSo() {
        BlockingDatalake lake = lake(2);
        Datum root = lake.addDatum(Map.of("type", "image"), null);
        List<NewDatum> children = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
            children.add(NewDatum.builder().data(Map.of("i", i)).derivedFrom(root.id()).build());
        }
        List<Datum> added = lake.addData(children);

        Lineage limited = lake.getLineage(root.id(), LineageDirection.DOWN, 5, 4);
        assertThat(limited.nodes()).hasSize(4);
        assertThat(limited.truncated()).isTrue();
        assertThat(limited.edges()).hasSize(3);

        Lineage exact = lake.getLineage(root.id(), LineageDirection.DOWN, 5, 8);
        assertThat(exact.nodes()).hasSize(8);
        assertThat(exact.truncated()).isFalse();
        assertThat(ids(exact).subList(1, 8))
                .containsExactlyElementsOf(added.stream().map(Datum::id).collect(Collectors.toList()));

        Datum grandchild = lake.addDatum(Map.of("g", 1), null, null, added.get(0).id());
        Lineage full = lake.getLineage(root.id(), LineageDirection.DOWN, 5, 8);
        assertThat(full.truncated()).isTrue();
        assertThat(full.node(grandchild.id())).isNull();
    }

    @Test
    void levelsWiderThanTheBatchSizeAreComplete() {
        BlockingDatalake lake = lake(2);
        Datum root = lake.addDatum(Map.of("type", "image"), null);
        List<NewDatum> level1 = new ArrayList<>();
        List<NewDatum> level2 = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            ObjectId child = new ObjectId();
            level1.add(NewDatum.builder().id(child).data(Map.of("i", i)).derivedFrom(root.id()).build());
            level2.add(NewDatum.builder().data(Map.of("j", i)).derivedFrom(child).build());
            level2.add(NewDatum.builder().data(Map.of("k", i)).derivedFrom(child).build());
        }
        lake.addData(level1);
        lake.addData(level2);

        Lineage lineage = lake.getLineage(root.id(), LineageDirection.DOWN, 20);

        assertThat(depths(lineage)).containsExactly(0, 1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2);
        assertThat(lineage.edges()).hasSize(15);
    }

    @Test
    void cyclesWrittenByAnotherClientAreWalkedOnce() {
        DatalakeSettings settings = freshSettings().build();
        ObjectId a = new ObjectId();
        ObjectId b = new ObjectId();
        try (MongoClient client = MongoClients.create(settings.mongoUri())) {
            client.getDatabase(settings.database()).getCollection(settings.collection()).insertMany(List.of(
                    new Document("_id", a).append("data", new Document("type", "a")).append("derived_from", b)
                            .append("metadata", new Document()).append("added_at", new Date()),
                    new Document("_id", b).append("data", new Document("type", "b")).append("derived_from", a)
                            .append("metadata", new Document()).append("added_at", new Date())));
        }
        BlockingDatalake lake = Datalakes.create(settings).blocking();
        toClose.add(lake);

        assertThat(lake.getAncestors(a)).containsExactly(b);
        Lineage both = lake.getLineage(a, LineageDirection.BOTH, 50);
        assertThat(ids(both)).containsExactlyInAnyOrder(a, b);
        assertThat(both.edges()).containsExactlyInAnyOrder(new LineageEdge(a, b), new LineageEdge(b, a));
        assertThat(lake.getLineage(a, LineageDirection.DOWN, 50).nodes()).hasSize(2);
    }

    @Test
    void aDanglingParentEndsTheChain() {
        DatalakeSettings settings = freshSettings().build();
        ObjectId orphan = new ObjectId();
        try (MongoClient client = MongoClients.create(settings.mongoUri())) {
            client.getDatabase(settings.database()).getCollection(settings.collection()).insertOne(
                    new Document("_id", orphan).append("data", "x").append("derived_from", new ObjectId())
                            .append("metadata", new Document()).append("added_at", new Date()));
        }
        BlockingDatalake lake = Datalakes.create(settings).blocking();
        toClose.add(lake);

        assertThat(lake.getAncestors(orphan)).isEmpty();
        Lineage up = lake.getLineage(orphan, LineageDirection.UP, 1);
        assertThat(ids(up)).containsExactly(orphan);
        assertThat(up.edges()).isEmpty();
        assertThat(up.depthLimited()).isFalse();
        assertThat(up.startNode().summary()).isEqualTo("x");
    }

    @Test
    void badArgumentsFailBeforeAnyIo() {
        BlockingDatalake lake = lake();
        Datum root = lake.addDatum(Map.of("type", "image"), null);
        ObjectId unknown = new ObjectId();

        assertThatThrownBy(() -> lake.getLineage(root.id(), LineageDirection.DOWN, -1))
                .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("-1");
        assertThatThrownBy(() -> lake.getLineage(root.id(), LineageDirection.DOWN, 3, 0))
                .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("maxNodes");
        assertThatThrownBy(() -> lake.getLineage(root.id(), null, 3))
                .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("direction");
        assertThatThrownBy(() -> lake.getLineage(null, LineageDirection.UP, 3))
                .isInstanceOf(InvalidArgumentException.class);
        assertThatThrownBy(() -> lake.getLineage(unknown, LineageDirection.UP, 3))
                .isInstanceOf(DatumNotFoundException.class).hasMessageContaining(unknown.toHexString());
    }

    @Test
    void summariesAreShortAndSkipNestedValues() {
        BlockingDatalake lake = lake();
        Datum datum = lake.addDatum(Map.of("type", "embedding", "vector", List.of(1, 2, 3),
                        "note", "x".repeat(200)),
                Map.of("nested", Map.of("a", 1)));
        Datum list = lake.addDatum(List.of(1, 2, 3), null);
        Datum empty = lake.addDatum(null, null);

        LineageNode node = lake.getLineage(datum.id(), LineageDirection.DOWN, 0).startNode();
        assertThat(node.summary()).startsWith("embedding note=xxxxx").doesNotContain("vector").doesNotContain("nested");
        assertThat(node.summary().length()).isLessThanOrEqualTo(LineageNode.MAX_SUMMARY_LENGTH);
        assertThat(lake.getLineage(list.id(), LineageDirection.DOWN, 0).startNode().summary()).isEqualTo("[3 items]");
        assertThat(lake.getLineage(empty.id(), LineageDirection.DOWN, 0).startNode().summary()).isEqualTo("(empty)");
        assertThat(lake.getLineage(empty.id(), LineageDirection.DOWN, 0).startNode().type()).isNull();
    }
}
