package io.datalake.query.engine.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.mongodb.MongoExecutionTimeoutException;
import com.mongodb.MongoNotPrimaryException;
import com.mongodb.MongoQueryException;
import com.mongodb.MongoSecurityException;
import com.mongodb.MongoSocketReadException;
import com.mongodb.MongoTimeoutException;
import com.mongodb.MongoCredential;
import com.mongodb.ServerAddress;
import org.bson.BsonDocument;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/**
 * Which server failures are the query's fault. The replies are shaped as real MongoDB 6/7 sends them for a find,
 * including the cases the embedded server cannot produce (51091 for an invalid regex, 27 for $text without a text
 * index).
 */
class ServerErrorsTest {
    private static final ServerAddress SERVER = new ServerAddress("db.example", 27017);

    private static MongoQueryException reply(int code, String codeName) {
        return new MongoQueryException(BsonDocument.parse("{\"ok\": 0, \"errmsg\": \"refused\", \"code\": " + code
                + ", \"codeName\": \"" + codeName + "\"}"), SERVER);
    }

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({
        "2, BadValue", "9, FailedToParse", "14, TypeMismatch", "27, IndexNotFound", "168, InvalidPipelineOperator",
        "291, NoQueryExecutionPlans", "51091, Location51091", "16020, Location16020", "51024, Location51024",
        "17287, Location17287", "51108, Location51108",
    })
    void refusalsOfTheFilterAreInvalidQueries(int code, String codeName) {
        assertThat(ServerErrors.isInvalidQuery(reply(code, codeName))).isTrue();
    }

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({
        "6, HostUnreachable", "13, Unauthorized", "18, AuthenticationFailed", "50, MaxTimeMSExpired",
        "89, NetworkTimeout", "91, ShutdownInProgress", "189, PrimarySteppedDown", "262, ExceededTimeLimit",
        "10107, NotWritablePrimary", "11600, InterruptedAtShutdown", "11602, InterruptedDueToReplStateChange",
        "13435, NotPrimaryNoSecondaryOk", "43, CursorNotFound", "292, QueryExceededMemoryLimitNoDiskUseAllowed",
        "1, InternalError",
    })
    void operationalServerErrorsAreNot(int code, String codeName) {
        assertThat(ServerErrors.isInvalidQuery(reply(code, codeName))).isFalse();
    }

    @Test
    void clientSideFailuresAreNot() {
        assertThat(ServerErrors.isInvalidQuery(new MongoSocketReadException("reset", SERVER))).isFalse();
        assertThat(ServerErrors.isInvalidQuery(new MongoTimeoutException("no server"))).isFalse();
        assertThat(ServerErrors.isInvalidQuery(new MongoSecurityException(
                MongoCredential.createCredential("u", "admin", new char[0]), "denied"))).isFalse();
        assertThat(ServerErrors.isInvalidQuery(new MongoExecutionTimeoutException(50,
                "operation exceeded time limit"))).isFalse();
        assertThat(ServerErrors.isInvalidQuery(new MongoNotPrimaryException(BsonDocument.parse(
                "{\"ok\": 0, \"code\": 10107, \"codeName\": \"NotWritablePrimary\"}"), SERVER))).isFalse();
        assertThat(ServerErrors.isInvalidQuery(new IllegalStateException("code 2"))).isFalse();
    }

    @Test
    void anUntypedEmbeddedServerFailureIsNot() {
        // The embedded server answers some errors (e.g. a regex Java cannot compile) with code -1 and no name.
        assertThat(ServerErrors.isInvalidQuery(new MongoQueryException(BsonDocument.parse(
                "{\"ok\": 0, \"errmsg\": \"Unknown error\"}"), SERVER))).isFalse();
    }
}
