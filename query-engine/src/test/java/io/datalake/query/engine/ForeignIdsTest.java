package io.datalake.query.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Date;
import java.util.List;
import org.bson.BsonArray;
import org.bson.BsonDateTime;
import org.bson.BsonDocument;
import org.bson.BsonDouble;
import org.bson.BsonInt32;
import org.bson.BsonInt64;
import org.bson.BsonString;
import org.bson.Document;
import org.bson.types.ObjectId;
import org.junit.jupiter.api.Test;

/**
 * Unit test, no server: a foreign {@code _id} reads the same in a warning whether the walk decoded it as a Java
 * value (a whole document) or kept it as BSON (a projected link).
 */
class ForeignIdsTest {

    @Test
    void javaAndBsonValuesOfAnIdReadAlike() {
        ObjectId parent = new ObjectId();
        assertThat(ForeignIds.describe(new BsonString("x"))).isEqualTo(ForeignIds.describe("x")).isEqualTo("\"x\"");
        assertThat(ForeignIds.describe(new BsonInt32(7))).isEqualTo(ForeignIds.describe(7)).isEqualTo("7");
        assertThat(ForeignIds.describe(new BsonInt64(7L))).isEqualTo(ForeignIds.describe(7L));
        assertThat(ForeignIds.describe(new BsonDouble(1.5))).isEqualTo(ForeignIds.describe(1.5));
        assertThat(ForeignIds.describe(new BsonDateTime(1000))).isEqualTo(ForeignIds.describe(new Date(1000)));
        assertThat(ForeignIds.describe(new BsonDocument("a", new BsonInt32(1))))
                .isEqualTo(ForeignIds.describe(new Document("a", 1)));
        assertThat(ForeignIds.describe(new BsonArray(List.of(new org.bson.BsonObjectId(parent)))))
                .isEqualTo(ForeignIds.describe(List.of(parent)));
        assertThat(ForeignIds.describe(null)).isEqualTo("(none)");
        assertThat(ForeignIds.describe("y".repeat(200))).hasSize(80).endsWith("...");
    }
}
