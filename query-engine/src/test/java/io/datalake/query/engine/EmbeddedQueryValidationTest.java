package io.datalake.query.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.mongodb.client.model.Filters;
import com.mongodb.reactivestreams.client.MongoCollection;
import io.datalake.InvalidQueryException;
import io.datalake.query.Query;
import io.datalake.query.QueryOptions;
import io.datalake.query.QueryResult;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.bson.Document;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

/**
 * Every validation error is an {@link InvalidQueryException} naming the level and the offending key or value, and
 * is raised before anything is sent to the server.
 */
class EmbeddedQueryValidationTest {

    /** Runs the query the way a lake's {@code queryData(json, datumsWanted, transpose)} does, on a fresh lake. */
    private static void assertRejected(Supplier<Query> query, Integer datumsWanted, String... messageParts) {
        MongoCollection<Document> collection = EmbeddedServer.freshCollection();
        QueryEngine engine = new QueryEngine(collection);
        Mono<QueryResult> call = Mono.defer(() -> engine.queryData(query.get(),
                QueryOptions.datumsWanted(datumsWanted), false));
        StepVerifier.create(call)
                .expectErrorSatisfies(e -> assertThat(e).isExactlyInstanceOf(InvalidQueryException.class)
                        .message().contains(messageParts))
                .verify();
        assertThat(EmbeddedServer.commandsOn(collection)).as("nothing was sent to the server").isEmpty();
    }

    private static void assertRejected(String json, String... messageParts) {
        assertRejected(() -> Query.fromJson(json), null, messageParts);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "empty query                  | []                                                              | no levels",
        "malformed JSON               | [{\"column\": \"a\",                                            | malformed query JSON",
        "not a list of objects        | [1, 2]                                                          | level 0: must be an object",
        "scalar instead of a query    | 42                                                              | malformed query JSON",
        "missing column               | [{\"data.type\": \"image\"}]                                    | level 0: missing required key column",
        "column not a string          | [{\"column\": 5}]                                               | level 0: column must be a non-empty string, got 5",
        "empty column                 | [{\"column\": \"\"}]                                            | level 0: column must be a non-empty string",
        "missing column, derived      | [{\"column\": \"a\"}, {\"derived_from\": \"a\"}]                | level 1: missing required key column",
        "duplicate column             | [{\"column\": \"a\"}, {\"column\": \"a\", \"derived_from\": \"a\"}] | level 1: duplicate column 'a'",
        "unknown strategy             | [{\"column\": \"a\", \"strategy\": \"newest\"}]                 | level 0: unknown strategy 'newest'",
        "strategy not a string        | [{\"column\": \"a\", \"strategy\": 1}]                          | level 0: strategy must be a string",
        "missing on the base          | [{\"column\": \"a\", \"strategy\": \"missing\"}]                | level 0: strategy missing is not allowed on the base",
        "derived without derived_from | [{\"column\": \"a\"}, {\"column\": \"b\"}]                      | level 1: missing required key derived_from",
        "derived_from not a string    | [{\"column\": \"a\"}, {\"column\": \"b\", \"derived_from\": 3}]  | level 1: derived_from must name an earlier column, got 3",
        "derived_from unknown column  | [{\"column\": \"a\"}, {\"column\": \"b\", \"derived_from\": \"x\"}] | level 1: derived_from 'x' names no column",
        "derived_from a later column  | [{\"column\": \"a\"}, {\"column\": \"b\", \"derived_from\": \"c\"}, {\"column\": \"c\", \"derived_from\": \"a\"}] | level 1: derived_from 'c' names the column of the later level 2",
        "derived_from itself          | [{\"column\": \"a\"}, {\"column\": \"b\", \"derived_from\": \"b\"}] | level 1: derived_from 'b' names this level's own column",
        "derived_from a missing level | [{\"column\": \"a\"}, {\"column\": \"m\", \"derived_from\": \"a\", \"strategy\": \"missing\"}, {\"column\": \"c\", \"derived_from\": \"m\"}] | level 2: derived_from 'm' names the column of level 1, whose strategy is missing",
        "derived_from column on base  | [{\"column\": \"a\", \"derived_from\": \"a\"}]                  | level 0: derived_from 'a' names a column",
        "unknown top-level operator   | [{\"column\": \"a\", \"$foo\": 1}]                              | level 0: $foo: unknown operator $foo",
        "unknown field operator       | [{\"column\": \"a\"}, {\"column\": \"b\", \"derived_from\": \"a\", \"data.x\": {\"$gt\": 1, \"$bogus\": 2}}] | level 1: data.x.$bogus: unknown operator $bogus",
        "unknown operator in $or      | [{\"column\": \"a\", \"$or\": [{\"x\": 1}, {\"y\": {\"$near2\": 1}}]}] | level 0: $or[1].y.$near2: unknown operator $near2",
        "unknown expression operator  | [{\"column\": \"a\", \"$expr\": {\"$frobnicate\": [1, 2]}}]     | level 0: $expr.$frobnicate: unknown expression operator",
        "$in needs an array           | [{\"column\": \"a\", \"x\": {\"$in\": 5}}]                      | level 0: x.$in: needs an array, got 5",
        "$or needs filters            | [{\"column\": \"a\", \"$or\": []}]                              | level 0: $or: needs a non-empty array",
        "field operator at top level  | [{\"column\": \"a\", \"$gt\": 5}]                               | level 0: $gt: operator $gt needs a field",
        "$where                       | [{\"column\": \"a\", \"$where\": \"sleep(1000)\"}]              | level 0: filter.$where: $where runs server-side JavaScript",
        "$where deep in $and          | [{\"column\": \"a\"}, {\"column\": \"b\", \"derived_from\": \"a\", \"$and\": [{\"$or\": [{\"$where\": \"1\"}]}]}] | level 1: filter.$and[0].$or[0].$where: $where runs server-side JavaScript",
        "$function in $expr           | [{\"column\": \"a\", \"$expr\": {\"$function\": {\"body\": \"function() {return true}\", \"args\": [], \"lang\": \"js\"}}}] | level 0: filter.$expr.$function: $function runs server-side JavaScript",
        "$accumulator anywhere        | [{\"column\": \"a\", \"x\": {\"$eq\": {\"$accumulator\": {}}}}] | level 0: filter.x.$eq.$accumulator: $accumulator runs server-side JavaScript",
        "JavaScript code value        | [{\"column\": \"a\", \"x\": {\"$code\": \"while(true){}\"}}]     | level 0: filter.x: JavaScript code values are not allowed",
        "unclosed group in a regex    | [{\"column\": \"a\"}, {\"column\": \"b\", \"derived_from\": \"a\", \"data.x\": {\"$regex\": \"(cat\"}}] | level 1: data.x.$regex: invalid regular expression \"(cat\"",
        "unclosed class in a regex    | [{\"column\": \"a\", \"x\": {\"$in\": [{\"$regularExpression\": {\"pattern\": \"[a-\", \"options\": \"i\"}}]}}] | level 0: x.$in[0]: invalid regular expression",
    })
    void invalidJsonQueriesAreRejectedBeforeAnyIo(String name, String json, String message) {
        assertRejected(json, message);
    }

    @Test
    void explainChecksTheFiltersAsARunDoes() {
        MongoCollection<Document> collection = EmbeddedServer.freshCollection();
        QueryEngine engine = new QueryEngine(collection);
        Query query = Query.fromJson("[{\"column\": \"a\", \"x\": {\"$bogus\": 1}}]");
        assertThatThrownBy(() -> engine.explain(query, QueryOptions.defaults()))
                .isExactlyInstanceOf(InvalidQueryException.class)
                .hasMessageContaining("level 0: x.$bogus: unknown operator $bogus");
        assertThat(EmbeddedServer.commandsOn(collection)).as("nothing was sent to the server").isEmpty();
    }

    @Test
    void nonPositiveDatumsWantedIsRejectedBeforeAnyIo() {
        assertRejected(() -> Query.fromJson("[{\"column\": \"a\"}]"), 0, "datumsWanted must be positive", "got 0");
        assertRejected(() -> Query.fromJson("[{\"column\": \"a\"}]"), -3, "datumsWanted", "got -3");
    }

    @Test
    void mapsAndBuilderQueriesAreValidatedTheSameWay() {
        assertRejected(() -> Query.fromMaps(List.of()), null, "no levels");
        assertRejected(() -> Query.fromMaps(List.of(Map.of("column", "a", "strategy", "missing"))), null,
                "level 0: strategy missing");
        assertRejected(() -> Query.fromMaps(List.of(Map.of("column", "a"), Map.of("column", "b",
                "derived_from", "a", "$where", "true"))), null, "level 1", "$where");
        assertRejected(() -> Query.fromMaps(List.of(Map.of("column", "a", "x", new Object()))), null,
                "level 0: a filter value cannot be stored in BSON");
        assertRejected(() -> Query.builder().build(), null, "no levels");
        assertRejected(() -> Query.builder().derived("b", "a", null).build(), null,
                "level 0: the first level must be added with base");
        assertRejected(() -> Query.builder().base("a", null).base("b", null).build(), null,
                "level 1: base('b', ...) must be the first level");
        assertRejected(() -> Query.builder().base("a", null).derived("b", "zzz", null).build(), null,
                "level 1: derived_from 'zzz' names no column");
        assertRejected(() -> Query.builder().base("a", Filters.where("this.x == 1")).build(), null,
                "level 0", "$where runs server-side JavaScript");
        assertRejected(() -> Query.builder().base("a", Filters.eq("column", "x")).build(), null,
                "level 0: the filter uses the reserved key column");
    }
}
