package io.datalake.query.engine.internal.link;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.bson.BsonArray;
import org.bson.BsonDocument;
import org.bson.BsonInt32;
import org.bson.BsonObjectId;
import org.bson.BsonString;
import org.bson.RawBsonDocument;
import org.bson.codecs.DecoderContext;
import org.bson.types.ObjectId;
import org.junit.jupiter.api.Test;

/** Unit test, no server: the one children lookup's filter and the link codec. */
class ChildLookupTest {

    @Test
    void theLookupIsAnInOnDerivedFromInsideTheRangeOfItsIds() {
        ObjectId a = new ObjectId("000000000000000000000002");
        ObjectId b = new ObjectId("000000000000000000000009");
        ObjectId c = new ObjectId("000000000000000000000001");

        BsonDocument filter = ChildLookup.filter(List.of(a, b, c), null);

        assertThat(filter.keySet()).containsExactly("derived_from");
        BsonDocument condition = filter.getDocument("derived_from");
        assertThat(condition.get("$gte")).isEqualTo(new BsonObjectId(c));
        assertThat(condition.get("$lte")).isEqualTo(new BsonObjectId(b));
        assertThat(condition.getArray("$in")).containsExactly(
                new BsonObjectId(a), new BsonObjectId(b), new BsonObjectId(c));
    }

    @Test
    void aLevelFilterIsAddedAsAPlainAnd() {
        ObjectId parent = new ObjectId();
        BsonDocument level = new BsonDocument("data.type", new BsonString("label"));

        BsonDocument filter = ChildLookup.filter(List.of(parent), level);

        assertThat(filter.keySet()).containsExactly("derived_from", "data.type");
        assertThat(filter.getString("data.type").getValue()).isEqualTo("label");
        assertThat(filter.getDocument("derived_from").getArray("$in"))
                .isEqualTo(new BsonArray(new ArrayList<>(List.of(new BsonObjectId(parent)))));
    }

    @Test
    void theLinkCodecKeepsForeignValuesOutOfTheLinkFields() {
        ObjectId parent = new ObjectId();
        Link datum = decode(new BsonDocument("_id", new BsonObjectId(parent))
                .append("derived_from", new BsonObjectId(parent))
                .append("added_at", new org.bson.BsonDateTime(1234))
                .append("data", new BsonString("ignored")));
        assertThat(datum).isEqualTo(new Link(parent, null, parent, 1234));

        Link foreign = decode(new BsonDocument("_id", new BsonString("x"))
                .append("derived_from", new BsonArray(List.of(new BsonObjectId(parent))))
                .append("added_at", new BsonString("yesterday")));
        assertThat(foreign.id()).isNull();
        assertThat(foreign.foreignId()).isEqualTo(new BsonString("x"));
        assertThat(foreign.parent()).isNull();
        assertThat(foreign.addedAt()).isEqualTo(Link.NO_TIME);

        assertThat(decode(new BsonDocument("_id", new BsonInt32(7))).foreignId()).isEqualTo(new BsonInt32(7));
    }

    private static Link decode(BsonDocument document) {
        RawBsonDocument raw = RawBsonDocument.parse(document.toJson());
        return new Link.LinkCodec().decode(raw.asBsonReader(), DecoderContext.builder().build());
    }
}
