package io.datalake.query.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.datalake.DatalakeException;
import io.datalake.DatumNotFoundException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.bson.BsonDocument;
import org.bson.Document;
import org.bson.types.ObjectId;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

/**
 * Starts the embedded server: the derivation walks read through the one ranged children lookup, one {@code find}
 * per batch of parents, and the descendant walk switches to one projected scan for a large level.
 */
class EmbeddedDerivationGraphTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(20);
    private static final long T = 1_700_000_000_000L;

    private static List<BsonDocument> finds(TestLake lake) {
        return EmbeddedServer.eventsOn(lake.collection).stream()
                .filter(e -> e.name().equals("find"))
                .map(EmbeddedServer.Command::body)
                .collect(Collectors.toList());
    }

    private static List<BsonDocument> childLookups(TestLake lake) {
        return finds(lake).stream()
                .filter(f -> f.getDocument("filter").isDocument("derived_from")
                        && f.getDocument("filter").getDocument("derived_from").containsKey("$in"))
                .collect(Collectors.toList());
    }

    /** root with children c0..c4 (added newest first), each ci with one grandchild gi. */
    private static TestLake tree() {
        TestLake lake = new TestLake().add("root", null, T, new Document("type", "image"));
        for (int i = 0; i < 5; i++) {
            lake.add("c" + i, "root", T + 10 - i, new Document("type", "label"));
        }
        for (int i = 0; i < 5; i++) {
            lake.add("g" + i, "c" + i, T + 20, new Document("type", "box"));
        }
        return lake.insert();
    }

    @Test
    void childrenAreOldestFirstWithOneExistenceCheckAndOneRangedLookup() {
        TestLake lake = tree();
        List<ObjectId> children = new DerivationGraph(lake.collection, 2, () -> { })
                .children(lake.id("root")).collectList().block(TIMEOUT);

        assertThat(children).containsExactly(lake.id("c4"), lake.id("c3"), lake.id("c2"), lake.id("c1"),
                lake.id("c0"));
        assertThat(finds(lake)).hasSize(2);
        BsonDocument condition = childLookups(lake).get(0).getDocument("filter").getDocument("derived_from");
        assertThat(condition.keySet()).containsExactly("$gte", "$lte", "$in");
    }

    @Test
    void descendantsAreLookedUpOneFindPerBatchOfALevel() {
        TestLake lake = tree();
        List<ObjectId> all = new DerivationGraph(lake.collection, 2, () -> { })
                .descendants(lake.id("root")).collectList().block(TIMEOUT);

        List<ObjectId> expected = new ArrayList<>();
        expected.add(lake.id("root"));
        for (String name : List.of("c4", "c3", "c2", "c1", "c0", "g4", "g3", "g2", "g1", "g0")) {
            expected.add(lake.id(name));
        }
        assertThat(all).containsExactlyElementsOf(expected);
        // Level {root}: 1 batch; level c0..c4: 3 batches of 2; level g0..g4: 3 batches (and nothing below).
        assertThat(childLookups(lake)).hasSize(1 + 3 + 3);
        assertThat(childLookups(lake)).allSatisfy(f -> assertThat(
                f.getDocument("filter").getDocument("derived_from").keySet()).containsExactly("$gte", "$lte", "$in"));
    }

    @Test
    void aLargeLevelOfTheDescendantWalkIsResolvedByOneProjectedScan() {
        TestLake lake = new TestLake().add("root", null, T, new Document());
        for (int i = 0; i < 100; i++) {
            lake.add("c" + i, "root", T + i, new Document());
        }
        lake.add("g", "c7", T + 200, new Document()).insert();

        List<ObjectId> all = new DerivationGraph(lake.collection, 1000, () -> { })
                .descendants(lake.id("root")).collectList().block(TIMEOUT);

        assertThat(all).hasSize(102).endsWith(lake.id("g"));
        assertThat(childLookups(lake)).as("only the root's level is looked up").hasSize(1);
        assertThat(finds(lake)).filteredOn(f -> !f.getDocument("filter").containsKey("_id")
                        && !f.getDocument("filter").getDocument("derived_from").containsKey("$in"))
                .as("one scan of the linked datums").hasSize(1);
    }

    @Test
    void parentsWithOutsideChildrenCountsForeignChildrenAndIgnoresChildrenInsideTheSet() {
        TestLake lake = tree();
        ObjectId c0 = lake.id("c0");
        Mono.from(lake.collection.insertOne(new Document("_id", "foreign").append("derived_from", lake.id("c1"))
                .append("added_at", new Date()))).block(TIMEOUT);

        Set<ObjectId> parents = new DerivationGraph(lake.collection, 2, () -> { })
                .parentsWithOutsideChildren(Set.of(c0, lake.id("g0"), lake.id("g1"), lake.id("c1"), lake.id("c2")))
                .block(TIMEOUT);

        // c0's and c1's grandchildren are inside the set; c1 has a foreign child; c2's child g2 is outside.
        assertThat(parents).containsExactlyInAnyOrder(lake.id("c1"), lake.id("c2"));
    }

    @Test
    void aMissingDatumOrARefusedCallFailsBeforeAnyWalk() {
        TestLake lake = tree();
        ObjectId unknown = new ObjectId();
        DerivationGraph graph = new DerivationGraph(lake.collection, 2, () -> { });
        assertThatThrownBy(() -> graph.descendants(unknown).blockLast(TIMEOUT))
                .isInstanceOf(DatumNotFoundException.class).hasMessageContaining(unknown.toHexString());

        DerivationGraph closed = new DerivationGraph(lake.collection, 2, () -> {
            throw new DatalakeException("closed");
        });
        assertThatThrownBy(() -> closed.children(lake.id("root")).blockLast(TIMEOUT))
                .isInstanceOf(DatalakeException.class).hasMessage("closed");
    }
}
