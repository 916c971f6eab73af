package io.datalake.query.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.datalake.InvalidQueryException;
import io.datalake.query.Query;
import java.util.List;
import org.assertj.core.api.AbstractThrowableAssert;
import org.junit.jupiter.api.Test;

/**
 * The engine's checks of what a query's filters ask of MongoDB ({@link QueryEngine#validate}, run when a query is
 * planned): unit tests, no server. {@link EmbeddedQueryValidationTest} shows that a run stops at them before any I/O.
 */
class FilterChecksTest {

    private static AbstractThrowableAssert<?, ? extends Throwable> assertRefused(String json) {
        Query query = Query.fromJson(json);
        return assertThatThrownBy(() -> QueryEngine.validate(query)).as(json)
                .isInstanceOf(InvalidQueryException.class);
    }

    private static Query assertAccepted(String json) {
        Query query = Query.fromJson(json);
        assertThatCode(() -> QueryEngine.validate(query)).as(json).doesNotThrowAnyException();
        return query;
    }

    @Test
    void validOperatorsPassValidation() {
        assertAccepted("[{\"column\": \"a\", \"$and\": [{\"x\": {\"$not\": {\"$gt\": 3}}},"
                + " {\"tags\": {\"$all\": [{\"$elemMatch\": {\"k\": 1}}]}}], \"y\": {\"$regex\": \"^a\", "
                + "\"$options\": \"i\"}, \"z\": {\"$elemMatch\": {\"w\": {\"$in\": [1]}, \"$or\": [{\"v\": 1}]}},"
                + " \"$expr\": {\"$gt\": [{\"$size\": \"$tags\"}, {\"$literal\": {\"$anything\": 1}}]},"
                + " \"doc\": {\"plain\": 1}, \"$comment\": \"why\"}]");
    }

    @Test
    void certainlyInvalidRegularExpressionsAreRejectedWhereverTheyAppear() {
        assertRefused("[{\"column\": \"image\"}, {\"column\": \"label\","
                + " \"derived_from\": \"image\", \"data.label\": {\"$regex\": \"(cat\", \"$options\": \"i\"}}]")
                .hasMessageContaining("level 1").hasMessageContaining("data.label")
                .hasMessageContaining("(cat");
        for (String filter : List.of("{\"f\": {\"$regex\": " + regex("[a") + "}}",
                "{\"f\": " + regex("*") + "}",
                "{\"f\": {\"$in\": [\"x\", " + regex("a)") + "]}}",
                "{\"f\": {\"$not\": " + regex("(") + "}}",
                "{\"$or\": [{\"g\": 1}, {\"f\": {\"$all\": [" + regex("[") + "]}}]}")) {
            assertRefused("{\"column\": \"image\", " + filter.substring(1))
                    .hasMessageContaining("level 0").hasMessageContaining("invalid regular expression");
        }
        assertThat(assertAccepted("{\"column\": \"a\", \"f\": {\"$regex\": \"(*UTF)[a[b]\"}}").base()
                .filterJson()).as("PCRE syntax Java lacks is left to the server").contains("(*UTF)[a[b]");
    }

    @Test
    void aRegexBombInsideExprIsRejectedLikeOneInAFilter() {
        for (String op : List.of("$regexMatch", "$regexFind", "$regexFindAll")) {
            assertRefused("{\"column\": \"image\", \"$expr\": {\"" + op
                    + "\": {\"input\": \"$data.name\", \"regex\": \"(.*a){20}x\"}}}")
                    .hasMessageContaining("(.*a){20}x").hasMessageContaining(op);
        }
        assertThat(assertAccepted("{\"column\": \"a\", \"$expr\": {\"$regexMatch\": {\"input\": \"$data.name\","
                + " \"regex\": \"^img_[0-9]+\\\\.png$\", \"options\": \"i\"}}}").base().filterJson())
                .as("an ordinary pattern passes").contains("img_");
    }

    @Test
    void operandsTheServerWouldRejectAreInvalidQueriesBeforeAnyIo() {
        // The embedded server drops the connection on these, and the driver retries until the time limit: a minute
        // of waiting for what real MongoDB refuses at once.
        for (String filter : List.of("{\"a\": {\"$type\": \"nonsense\"}}", "{\"a\": {\"$type\": 42}}",
                "{\"a\": {\"$type\": []}}", "{\"a\": {\"$type\": [\"string\", \"strin\"]}}",
                "{\"a\": {\"$mod\": [0, 0]}}", "{\"a\": {\"$mod\": [\"x\", 1]}}",
                "{\"a\": {\"$regex\": \"a\", \"$options\": \"Q\"}}", "{\"a\": {\"$regex\": \"a\", \"$options\": 1}}",
                "{\"a\": {\"$regularExpression\": {\"pattern\": \"a\", \"options\": \"z\"}}}",
                "{\"a\": {\"$regex\": \"a{99999}\"}}", "{\"a\": {\"$regex\": \"a{1,70000}\"}}",
                "{\"a\": {\"$regex\": \"a{99999999999}\"}}")) {
            assertRefused("[" + filter.replaceFirst("\\{", "{\"column\": \"x\", ") + "]")
                    .hasMessageContaining("level 0: a");
        }
        for (String filter : List.of("{\"a\": {\"$type\": \"string\"}}", "{\"a\": {\"$type\": [2, \"number\"]}}",
                "{\"a\": {\"$type\": -1}}", "{\"a\": {\"$mod\": [4, 0]}}", "{\"a\": {\"$mod\": [2.5, 1]}}",
                "{\"a\": {\"$regex\": \"a\", \"$options\": \"imsxu\"}}", "{\"a\": {\"$regex\": \"a{65535}\"}}",
                "{\"a\": {\"$regex\": \"\\\\d{1,3}\"}}")) {
            assertAccepted("[" + filter.replaceFirst("\\{", "{\"column\": \"x\", ") + "]");
        }
    }

    @Test
    void theQueryItselfIsBuiltWithoutTheseChecksSoTheyRunAtPlanning() {
        // Query holds the structure; the engine owns MongoDB's operator rules.
        Query query = Query.fromJson("[{\"column\": \"a\", \"$where\": \"sleep(1000)\"}]");
        assertThatThrownBy(() -> QueryEngine.validate(query)).isInstanceOf(InvalidQueryException.class)
                .hasMessageContaining("level 0: filter.$where: $where runs server-side JavaScript");
        assertThatThrownBy(() -> QueryEngine.validate(null)).isInstanceOf(InvalidQueryException.class)
                .hasMessageContaining("query must not be null");
    }

    private static String regex(String pattern) {
        return "{\"$regularExpression\": {\"pattern\": \"" + pattern + "\", \"options\": \"\"}}";
    }
}
