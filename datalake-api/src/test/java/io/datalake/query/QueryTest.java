package io.datalake.query;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.datalake.InvalidArgumentException;
import io.datalake.InvalidQueryException;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.bson.BsonDateTime;
import org.bson.BsonDocument;
import org.bson.BsonObjectId;
import org.bson.types.ObjectId;
import org.junit.jupiter.api.Test;

class QueryTest {
    private static final String PYTHON_QUERY = "[\n"
            + "  {\"metadata.project\": \"cv\", \"data.type\": \"image\", \"column\": \"image\"},\n"
            + "  {\"derived_from\": \"image\", \"data.type\": \"classification\", \"column\": \"label\","
            + " \"strategy\": \"latest\"},\n"
            + "  {\"derived_from\": \"label\", \"data.type\": \"bbox\", \"column\": \"box\", \"strategy\": \"random\"},\n"
            + "  {\"derived_from\": \"image\", \"data.type\": \"segmentation\", \"column\": \"seg\","
            + " \"strategy\": \"missing\"}\n"
            + "]";

    @Test
    void aQueryWrittenForThePythonDatalakeParsesUnchanged() {
        Query query = Query.fromJson(PYTHON_QUERY);
        assertThat(query.levels()).hasSize(4);
        QueryLevel base = query.base();
        assertThat(base.column()).isEqualTo("image");
        assertThat(base.strategy()).isEqualTo(Strategy.LATEST);
        assertThat(base.derivedFrom()).isNull();
        assertThat(base.filter().toBsonDocument()).isEqualTo(BsonDocument.parse("{\"metadata.project\": \"cv\", "
                + "\"data.type\": \"image\"}"));
        QueryLevel box = query.levels().get(2);
        assertThat(box.derivedFrom()).isEqualTo("label");
        assertThat(box.strategy()).isEqualTo(Strategy.RANDOM);
        assertThat(box.filter().toBsonDocument()).isEqualTo(BsonDocument.parse("{\"data.type\": \"bbox\"}"));
        assertThat(query.outputColumns()).containsExactly("image", "label", "box");
        assertThat(query.levels().get(3).isOutput()).isFalse();
    }

    @Test
    void aSingleLevelObjectIsABaseOnlyQuery() {
        assertThat(Query.fromJson("{\"column\": \"image\", \"data.type\": \"image\"}"))
                .isEqualTo(Query.fromJson("[{\"column\": \"image\", \"data.type\": \"image\"}]"));
    }

    @Test
    void extendedJsonValuesBecomeBsonValues() {
        ObjectId parent = new ObjectId();
        Query query = Query.fromJson("[{\"column\": \"child\", \"derived_from\": {\"$oid\": \"" + parent.toHexString()
                + "\"}, \"added_at\": {\"$gte\": {\"$date\": \"2024-01-01T00:00:00Z\"}}}]");
        BsonDocument filter = query.base().filter().toBsonDocument();
        assertThat(filter.get("derived_from")).as("on the base, derived_from is an ordinary filter on parent ids")
                .isEqualTo(new BsonObjectId(parent));
        assertThat(filter.getDocument("added_at").get("$gte"))
                .isEqualTo(new BsonDateTime(Instant.parse("2024-01-01T00:00:00Z").toEpochMilli()));
    }

    @Test
    void theThreeFormsBuildEqualQueries() {
        ObjectId id = new ObjectId();
        Query json = Query.fromJson("[{\"column\": \"image\", \"metadata.project\": \"cv\", \"strategy\": "
                + "\"earliest\"}, {\"column\": \"label\", \"derived_from\": \"image\", \"data.source\": {\"$oid\": \""
                + id.toHexString() + "\"}}, {\"column\": \"none\", \"derived_from\": \"label\", "
                + "\"strategy\": \"missing\"}]");
        Query maps = Query.fromMaps(List.of(
                Map.of("column", "image", "metadata.project", "cv", "strategy", "earliest"),
                Map.of("column", "label", "derived_from", "image", "data.source", id),
                Map.of("column", "none", "derived_from", "label", "strategy", "missing")));
        Query built = Query.builder()
                .base("image", new BsonDocument("metadata.project", new org.bson.BsonString("cv")), Strategy.EARLIEST)
                .derived("label", "image", new BsonDocument("data.source", new BsonObjectId(id)))
                .missing("none", "label", null)
                .build();
        assertThat(maps).isEqualTo(json);
        assertThat(built).isEqualTo(json);
        assertThat(Query.fromJson(json.toJson())).as("toJson round-trips").isEqualTo(json);
    }

    @Test
    void levelsAreImmutable() {
        Query query = Query.fromJson("[{\"column\": \"a\", \"x\": 1}]");
        query.base().filter().toBsonDocument().put("x", new org.bson.BsonInt32(2));
        assertThat(query.base().filter().toBsonDocument()).isEqualTo(BsonDocument.parse("{\"x\": 1}"));
        assertThat(query.base().filterJson()).isEqualTo("{\"x\": 1}");
    }

    @Test
    void validOperatorsPassValidation() {
        Query query = Query.fromJson("[{\"column\": \"a\", \"$and\": [{\"x\": {\"$not\": {\"$gt\": 3}}},"
                + " {\"tags\": {\"$all\": [{\"$elemMatch\": {\"k\": 1}}]}}], \"y\": {\"$regex\": \"^a\", "
                + "\"$options\": \"i\"}, \"z\": {\"$elemMatch\": {\"w\": {\"$in\": [1]}, \"$or\": [{\"v\": 1}]}},"
                + " \"$expr\": {\"$gt\": [{\"$size\": \"$tags\"}, {\"$literal\": {\"$anything\": 1}}]},"
                + " \"doc\": {\"plain\": 1}, \"$comment\": \"why\"}]");
        assertThat(query.base().filter().toBsonDocument().keySet())
                .contains("$and", "y", "z", "$expr", "doc", "$comment");
    }

    @Test
    void resultsAlignTransposedColumnsAndRenderBothShapes() {
        ObjectId a = new ObjectId();
        ObjectId b = new ObjectId();
        QueryResult rows = new QueryResult(List.of("image", "label"), List.of(Map.of("image", a, "label", b)),
                false);
        assertThat(rows.transposed()).containsExactly(Map.entry("image", List.of(a)), Map.entry("label", List.of(b)));
        assertThat(rows.toJson()).isEqualTo("[{\"image\": {\"$oid\": \"" + a.toHexString() + "\"}, \"label\": "
                + "{\"$oid\": \"" + b.toHexString() + "\"}}]");
        QueryResult columns = new QueryResult(List.of("image", "label"), rows.rows(), true);
        assertThat(columns.toJson()).isEqualTo("{\"image\": [{\"$oid\": \"" + a.toHexString() + "\"}], "
                + "\"label\": [{\"$oid\": \"" + b.toHexString() + "\"}]}");
        assertThatThrownBy(() -> new QueryResult(List.of("image"), List.of(Map.of("image", a, "label", b)), false))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void optionsValidateTheirValues() {
        assertThatThrownBy(() -> QueryOptions.datumsWanted(0)).isInstanceOf(InvalidQueryException.class)
                .hasMessageContaining("got 0");
        assertThatThrownBy(() -> QueryOptions.builder().batchSize(0)).isInstanceOf(InvalidArgumentException.class)
                .hasMessageContaining("got 0");
        QueryOptions options = QueryOptions.builder().datumsWanted(5).seed(9L).batchSize(10)
                .joinHint(JoinMethod.SCAN).build();
        assertThat(options.toBuilder().build()).isEqualTo(options);
        assertThat(QueryOptions.defaults().datumsWanted()).isNull();
    }

    @Test
    void strategiesUseThePythonNames() {
        assertThat(Strategy.fromWireName("quickest")).contains(Strategy.QUICKEST);
        assertThat(Strategy.fromWireName("Latest")).isEmpty();
        assertThat(Strategy.MISSING.wireName()).isEqualTo("missing");
    }
}
