package io.datalake.mongo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCollection;
import io.datalake.BlockingDatalake;
import io.datalake.Datalake;
import io.datalake.DatalakeSettings;
import io.datalake.Datum;
import io.datalake.DatumValidationException;
import io.datalake.LakeStats;
import io.datalake.MalformedDatumException;
import io.datalake.NewDatum;
import io.datalake.json.JsonValues;
import io.datalake.lineage.Lineage;
import io.datalake.lineage.LineageDirection;
import io.datalake.lineage.LineageNode;
import java.util.ArrayList;
import java.util.Date;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.bson.BsonTimestamp;
import org.bson.Document;
import org.bson.types.Code;
import org.bson.types.ObjectId;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;

/**
 * Bad input and documents written by other clients: typed errors before any I/O, and whole-lake operations that
 * skip what is not a datum and answer for the rest.
 */
class EmbeddedUntrustedInputTest {
    private final DatalakeSettings settings = TestLakes.freshSettings().build();
    private final Datalake lake = Datalakes.create(settings);
    private final BlockingDatalake blocking = lake.blocking();
    private final MongoClient client = MongoClients.create(TestLakes.connectionString());
    private final MongoCollection<Document> raw =
            client.getDatabase(settings.database()).getCollection(settings.collection());

    @AfterEach
    void close() {
        lake.close();
        client.close();
    }

    private static Map<String, Object> nested(int levels) {
        Map<String, Object> top = new HashMap<>();
        Map<String, Object> inner = top;
        for (int i = 1; i < levels; i++) {
            Map<String, Object> next = new HashMap<>();
            inner.put("a", next);
            inner = next;
        }
        return top;
    }

    @Test
    void tenThousandLevelsOfDataOrMetadataAreATypedErrorAndWriteNothing() {
        assertThatThrownBy(() -> blocking.addDatum(nested(10_000), null))
                .isInstanceOf(DatumValidationException.class)
                .hasMessageStartingWith("data.a.a.a")
                .hasMessageContaining("more than " + JsonValues.MAX_DEPTH + " levels");
        assertThatThrownBy(() -> blocking.addDatum(null, nested(10_000)))
                .isInstanceOf(DatumValidationException.class)
                .hasMessageStartingWith("metadata.a.a");
        assertThatThrownBy(() -> blocking.addData(List.of(NewDatum.of(1, null), NewDatum.of(nested(10_000), null))))
                .isInstanceOf(DatumValidationException.class);
        // Offloaded or explicit registry payloads obey the same rule.
        assertThatThrownBy(() -> blocking.addDatum(nested(10_000), null, "/nonexistent/registry", null))
                .isInstanceOf(DatumValidationException.class);
        assertThat(raw.countDocuments()).isZero();
    }

    @Test
    void theLimitIsMongoDbsHundredLevelsOfTheStoredDocument() {
        Datum atLimit = blocking.addDatum(nested(99), null);
        assertThat(blocking.getDatum(atLimit.id())).isEqualTo(atLimit);
        assertThatThrownBy(() -> blocking.addDatum(nested(100), null)).isInstanceOf(DatumValidationException.class);
    }

    @Test
    void selfReferencingValuesAreATypedErrorNamingThePath() {
        Map<String, Object> loop = new HashMap<>();
        loop.put("self", loop);
        List<Object> list = new ArrayList<>();
        list.add(list);
        assertThatThrownBy(() -> blocking.addDatum(Map.of("x", loop), null))
                .isInstanceOf(DatumValidationException.class)
                .hasMessage("data.x.self: refers to itself (a map or list that contains itself cannot be stored)");
        assertThatThrownBy(() -> blocking.addDatum(null, Map.of("l", list)))
                .isInstanceOf(DatumValidationException.class)
                .hasMessageContaining("metadata.l[0]: refers to itself");
    }

    @Test
    void keysMongoDbOrQueriesCannotHandleAreRefusedWithThePath() {
        assertThatThrownBy(() -> blocking.addDatum(Map.of("a", Map.of("b\0c", 1)), null))
                .isInstanceOf(DatumValidationException.class)
                .hasMessageContaining("data.a: key \"b\\u0000c\" contains the NUL character");
        assertThatThrownBy(() -> blocking.addDatum(Map.of("$set", 1), null))
                .isInstanceOf(DatumValidationException.class).hasMessageContaining("starts with '$'");
        assertThatThrownBy(() -> blocking.addDatum(null, Map.of("file", Map.of("a.png", 1))))
                .isInstanceOf(DatumValidationException.class)
                .hasMessageContaining("metadata.file: key \"a.png\" contains '.'");
        assertThatThrownBy(() -> blocking.addDatum("\ud800", null))
                .isInstanceOf(DatumValidationException.class).hasMessageContaining("surrogate");
        assertThat(raw.countDocuments()).isZero();
    }

    @Test
    void getDatumOfAMalformedDocumentNamesIt() {
        ObjectId noAddedAt = insert(new Document("_id", new ObjectId()).append("data", 1));
        ObjectId badParent = insert(datum(new ObjectId()).append("derived_from", "abc"));
        ObjectId badMetadata = insert(datum(new ObjectId()).append("metadata", "not a document"));
        ObjectId oddData = insert(datum(new ObjectId()).append("data", new Document("t", new BsonTimestamp(1, 2))));
        ObjectId code = insert(datum(new ObjectId()).append("data", List.of(new Code("1 + 1"))));
        ObjectId badUri = insert(datum(new ObjectId()).append("registry_uri", 42));

        assertMalformed(noAddedAt, "no added_at");
        assertMalformed(badParent, "derived_from is a string");
        assertMalformed(badMetadata, "metadata is a string");
        assertMalformed(oddData, "data.t holds a BsonTimestamp");
        assertMalformed(code, "data[0] holds a Code");
        assertMalformed(badUri, "registry_uri is a int32");
        Datum good = blocking.addDatum(1, null);
        assertThatThrownBy(() -> blocking.getData(List.of(good.id(), badParent)))
                .isInstanceOf(MalformedDatumException.class).hasMessageContaining(badParent.toHexString());
        assertThatThrownBy(() -> Flux.from(lake.getPayload(badMetadata)).blockLast())
                .isInstanceOf(MalformedDatumException.class);
    }

    private void assertMalformed(ObjectId id, String why) {
        assertThatThrownBy(() -> blocking.getDatum(id))
                .isInstanceOf(MalformedDatumException.class)
                .hasMessageContaining(id.toHexString())
                .hasMessageContaining(why)
                .satisfies(e -> assertThat(((MalformedDatumException) e).documentId()).contains(id.toHexString()));
    }

    @Test
    void foreignDocumentsAreSkippedByStatsQueriesAndWalksThatStillAnswerForTheRest() {
        Datum image = blocking.addDatum(Map.of("type", "image"), null);
        Datum label = blocking.addDatum(Map.of("type", "label"), null, null, image.id());
        // Other clients' documents: a string _id child of the image, a string _id root, no added_at, a string parent.
        raw.insertOne(new Document("_id", "foreign-child").append("data", new Document("type", "label"))
                .append("derived_from", image.id()).append("added_at", new Date()));
        raw.insertOne(new Document("_id", "foreign-root").append("data", new Document("type", "image")));
        raw.insertOne(new Document("_id", 17).append("derived_from", "foreign-root"));
        ObjectId undated = insert(new Document("_id", new ObjectId()).append("data", new Document("type", "image")));

        LakeStats stats = blocking.getStats();
        assertThat(stats.datums()).isEqualTo(6);
        assertThat(stats.deepestChain()).isEqualTo(2);

        List<Map<String, ObjectId>> rows = blocking.queryData("[{\"column\": \"image\", \"data.type\": \"image\"},"
                + " {\"column\": \"label\", \"derived_from\": \"image\", \"data.type\": \"label\"}]", null, false)
                .rows();
        assertThat(rows).containsExactly(Map.of("image", image.id(), "label", label.id()));
        assertThat(blocking.queryData("{\"column\": \"image\", \"data.type\": \"image\"}", null, false).rows())
                .extracting(row -> row.get("image")).containsExactlyInAnyOrder(image.id(), undated);

        assertThat(blocking.getDirectlyDerivedData(image.id())).containsExactly(label.id());
        assertThat(blocking.getIndirectlyDerivedData(image.id())).containsExactly(image.id(), label.id());
        Lineage lineage = blocking.getLineage(image.id(), LineageDirection.BOTH, 5, 100);
        assertThat(lineage.nodes().stream().map(LineageNode::id).collect(Collectors.toList()))
                .containsExactly(image.id(), label.id());
    }

    private ObjectId insert(Document document) {
        raw.insertOne(document);
        return document.getObjectId("_id");
    }

    private static Document datum(ObjectId id) {
        return new Document("_id", id).append("data", null).append("registry_uri", null)
                .append("registry_key", null).append("derived_from", null).append("metadata", new Document())
                .append("added_at", new Date());
    }
}
