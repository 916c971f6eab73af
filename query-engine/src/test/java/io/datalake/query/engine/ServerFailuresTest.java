package io.datalake.query.engine;

import static org.assertj.core.api.Assertions.assertThat;

import com.mongodb.MongoBulkWriteException;
import com.mongodb.MongoCommandException;
import com.mongodb.MongoConnectionPoolClearedException;
import com.mongodb.MongoCredential;
import com.mongodb.MongoException;
import com.mongodb.MongoExecutionTimeoutException;
import com.mongodb.MongoNodeIsRecoveringException;
import com.mongodb.MongoNotPrimaryException;
import com.mongodb.MongoOperationTimeoutException;
import com.mongodb.MongoQueryException;
import com.mongodb.MongoSecurityException;
import com.mongodb.MongoSocketOpenException;
import com.mongodb.MongoSocketReadException;
import com.mongodb.MongoSocketReadTimeoutException;
import com.mongodb.MongoTimeoutException;
import com.mongodb.MongoWriteConcernException;
import com.mongodb.MongoWriteException;
import com.mongodb.ServerAddress;
import com.mongodb.WriteError;
import com.mongodb.bulk.BulkWriteError;
import com.mongodb.bulk.BulkWriteResult;
import com.mongodb.bulk.WriteConcernError;
import com.mongodb.connection.ClusterId;
import com.mongodb.connection.ServerId;
import io.datalake.DatalakeException;
import io.datalake.DatalakeNonTransientException;
import io.datalake.DatalakeTimeoutException;
import io.datalake.DatalakeTransientException;
import io.datalake.DatumValidationException;
import io.datalake.InvalidQueryException;
import io.datalake.RegistryException;
import java.util.List;
import java.util.Set;
import org.bson.BsonDocument;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Unit tests, no server: how the translator classifies driver failures built directly, shaped as real MongoDB 6/7
 * sends them (including cases the embedded server cannot produce: 51091 for an invalid regex, 27 for $text without
 * a text index, error labels, write concern errors).
 */
class ServerFailuresTest {
    private static final ServerAddress SERVER = new ServerAddress("db.example", 27017);

    private static MongoQueryException reply(int code, String codeName) {
        return new MongoQueryException(BsonDocument.parse("{\"ok\": 0, \"errmsg\": \"refused\", \"code\": " + code
                + ", \"codeName\": \"" + codeName + "\"}"), SERVER);
    }

    private static MongoCommandException command(int code, String codeName) {
        return new MongoCommandException(BsonDocument.parse("{\"ok\": 0, \"errmsg\": \"failed\", \"code\": " + code
                + ", \"codeName\": \"" + codeName + "\"}"), SERVER);
    }

    // --- the query's fault: InvalidQueryException, permanent ---

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({
        "2, BadValue", "9, FailedToParse", "14, TypeMismatch", "27, IndexNotFound", "168, InvalidPipelineOperator",
        "291, NoQueryExecutionPlans", "51091, Location51091", "16020, Location16020", "51024, Location51024",
        "17287, Location17287", "51108, Location51108",
    })
    void refusalsOfTheFilterAreInvalidQueriesAndPermanent(int code, String codeName) {
        assertThat(ServerFailures.isInvalidQuery(reply(code, codeName))).isTrue();
        DatalakeException e = ServerFailures.translateQuery(2, "label", "{\"data.x\": 1}", reply(code, codeName));
        assertThat(e).isInstanceOf(InvalidQueryException.class).isInstanceOf(DatalakeNonTransientException.class)
                .hasMessageStartingWith("level 2 ('label'): the server rejected the filter {\"data.x\": 1}: ");
        assertThat(e.isTransient()).isFalse();
    }

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({
        "6, HostUnreachable", "13, Unauthorized", "18, AuthenticationFailed", "50, MaxTimeMSExpired",
        "89, NetworkTimeout", "91, ShutdownInProgress", "189, PrimarySteppedDown", "262, ExceededTimeLimit",
        "10107, NotWritablePrimary", "11600, InterruptedAtShutdown", "11602, InterruptedDueToReplStateChange",
        "13435, NotPrimaryNoSecondaryOk", "43, CursorNotFound", "292, QueryExceededMemoryLimitNoDiskUseAllowed",
        "1, InternalError",
    })
    void operationalServerErrorsAreNotInvalidQueries(int code, String codeName) {
        assertThat(ServerFailures.isInvalidQuery(reply(code, codeName))).isFalse();
        assertThat(ServerFailures.translateQuery(0, "image", "{}", reply(code, codeName)))
                .isNotInstanceOf(InvalidQueryException.class);
    }

    @Test
    void clientSideFailuresAreNotInvalidQueries() {
        assertThat(ServerFailures.isInvalidQuery(new MongoSocketReadException("reset", SERVER))).isFalse();
        assertThat(ServerFailures.isInvalidQuery(new MongoTimeoutException("no server"))).isFalse();
        assertThat(ServerFailures.isInvalidQuery(new MongoSecurityException(
                MongoCredential.createCredential("u", "admin", new char[0]), "denied"))).isFalse();
        assertThat(ServerFailures.isInvalidQuery(new MongoExecutionTimeoutException(50,
                "operation exceeded time limit"))).isFalse();
        assertThat(ServerFailures.isInvalidQuery(new MongoNotPrimaryException(BsonDocument.parse(
                "{\"ok\": 0, \"code\": 10107, \"codeName\": \"NotWritablePrimary\"}"), SERVER))).isFalse();
        assertThat(ServerFailures.isInvalidQuery(new IllegalStateException("code 2"))).isFalse();
    }

    @Test
    void anUntypedEmbeddedServerFailureIsNotAnInvalidQueryButIsPermanent() {
        // The embedded server answers some errors (e.g. a regex Java cannot compile) with code -1 and no name.
        MongoQueryException unknown = new MongoQueryException(BsonDocument.parse(
                "{\"ok\": 0, \"errmsg\": \"Unknown error\"}"), SERVER);
        assertThat(ServerFailures.isInvalidQuery(unknown)).isFalse();
        assertThat(ServerFailures.translateQuery(1, "label", "{}", unknown))
                .isExactlyInstanceOf(DatalakeNonTransientException.class)
                .hasMessageStartingWith("query failed reading level 1 ('label'): ").hasCause(unknown);
    }

    // --- transient: retrying may succeed ---

    @Test
    void aLostOrRefusedConnectionIsTransient() {
        assertTransient(new MongoSocketReadException("Prematurely reached end of stream", SERVER));
        assertTransient(new MongoSocketOpenException("Exception opening socket", SERVER));
        assertTransient(new MongoConnectionPoolClearedException(new ServerId(new ClusterId(), SERVER),
                new MongoSocketReadException("reset", SERVER)));
        // Wrapped by something else, the network failure still decides.
        assertTransient(new IllegalStateException("wrapped", new MongoSocketReadException("reset", SERVER)));
    }

    @Test
    void noUsablePrimaryIsTransient() {
        assertTransient(new MongoNotPrimaryException(BsonDocument.parse(
                "{\"ok\": 0, \"code\": 10107, \"codeName\": \"NotWritablePrimary\"}"), SERVER));
        assertTransient(new MongoNodeIsRecoveringException(BsonDocument.parse(
                "{\"ok\": 0, \"code\": 11600, \"codeName\": \"InterruptedAtShutdown\"}"), SERVER));
    }

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({
        "6, HostUnreachable", "7, HostNotFound", "24, LockTimeout", "89, NetworkTimeout", "91, ShutdownInProgress",
        "112, WriteConflict", "189, PrimarySteppedDown", "262, ExceededTimeLimit", "9001, SocketException",
        "11602, InterruptedDueToReplStateChange", "13436, NotPrimaryOrSecondary",
    })
    void retryableServerCodesAreTransient(int code, String codeName) {
        assertTransient(command(code, codeName));
    }

    @Test
    void theDriversErrorLabelsMakeAFailureTransient() {
        MongoException inTransaction = new MongoException("no such transaction");
        inTransaction.addLabel("TransientTransactionError");
        assertTransient(inTransaction);
        MongoCommandException labelled = new MongoCommandException(BsonDocument.parse("{\"ok\": 0, \"errmsg\": \"x\","
                + " \"code\": 1, \"codeName\": \"InternalError\", \"errorLabels\": [\"RetryableWriteError\"]}"), SERVER);
        assertTransient(labelled);
    }

    @Test
    void writeConflictsAndRetryableWriteConcernErrorsAreTransient() {
        assertTransient(new MongoWriteException(new WriteError(112, "WriteConflict", new BsonDocument()), SERVER,
                Set.of()));
        assertTransient(new MongoWriteConcernException(new WriteConcernError(91, "ShutdownInProgress",
                "shutting down", new BsonDocument()), SERVER));
        assertTransient(new MongoBulkWriteException(BulkWriteResult.unacknowledged(), List.of(),
                new WriteConcernError(189, "PrimarySteppedDown", "stepped down", new BsonDocument()), SERVER,
                Set.of()));
        assertTransient(new MongoBulkWriteException(BulkWriteResult.unacknowledged(),
                List.of(new BulkWriteError(112, "WriteConflict", new BsonDocument(), 0)), null, SERVER, Set.of()));
    }

    @Test
    void theClientGivingUpIsATransientTimeout() {
        MongoOperationTimeoutException noAnswer = new MongoOperationTimeoutException("Timeout while receiving message",
                new MongoSocketReadTimeoutException("Timeout while receiving message", new ServerAddress(), null));
        DatalakeException e = ServerFailures.translate("getDatum 1", noAnswer);
        assertThat(e).isInstanceOfSatisfying(DatalakeTimeoutException.class,
                t -> assertThat(t.serverTimeLimit()).isFalse()).hasMessageStartingWith("getDatum 1: ");
        assertThat(e.isTransient()).isTrue();
        assertThat(ServerFailures.translate("open", new MongoTimeoutException("no server selected")))
                .isInstanceOf(DatalakeTimeoutException.class).isInstanceOf(DatalakeTransientException.class);
        assertThat(ServerFailures.translateQuery(3, "box", "{}", new MongoTimeoutException("no server selected")))
                .isInstanceOf(DatalakeTimeoutException.class)
                .hasMessageStartingWith("query reading level 3 ('box'): ");
    }

    @Test
    void theServerStoppingAnOperationAtMaxTimeMsIsATimeoutThatSaysSo() {
        // What the driver reports under timeoutMS when the server answers MaxTimeMSExpired (code 50). Before the
        // split this timeout answered isTransient() false; timeouts are now all transient, and the fact that the
        // server stopped the operation is serverTimeLimit().
        MongoOperationTimeoutException error = new MongoOperationTimeoutException("Operation exceeded the timeout limit",
                new MongoExecutionTimeoutException(50, "operation exceeded time limit"));
        DatalakeException timeout = ServerFailures.translate("getStats", error);
        assertThat(timeout).isInstanceOfSatisfying(DatalakeTimeoutException.class,
                        t -> assertThat(t.serverTimeLimit()).isTrue())
                .hasMessageStartingWith("getStats: ").hasMessageContaining("MaxTimeMSExpired").hasCause(error);
        assertThat(ServerFailures.translate("find", new MongoExecutionTimeoutException(50, "exceeded")))
                .isInstanceOfSatisfying(DatalakeTimeoutException.class,
                        t -> assertThat(t.serverTimeLimit()).isTrue());
    }

    // --- permanent: retrying fails the same way ---

    @Test
    void unmarkedFailuresArePermanentNotPlain() {
        assertPermanent(new MongoSecurityException(MongoCredential.createCredential("u", "admin", new char[0]),
                "denied"));
        assertPermanent(command(13, "Unauthorized"));
        assertPermanent(command(1, "InternalError"));
        assertPermanent(new IllegalStateException("boom"));
        assertThat(ServerFailures.translate("getStats", new IllegalStateException("boom")))
                .hasMessage("getStats failed: boom");
    }

    @Test
    void aDuplicateKeyIsAPermanentValidationFailure() {
        MongoWriteException duplicate = new MongoWriteException(new WriteError(11000,
                "E11000 duplicate key error collection: db.datums index: _id_ dup key: { _id: 1 }", new BsonDocument()),
                SERVER, Set.of());
        DatalakeException e = ServerFailures.translate("addDatum 1", duplicate);
        assertThat(e).isInstanceOf(DatumValidationException.class)
                .hasMessageContaining("a datum with this id already exists");
        assertThat(e.isTransient()).isFalse();
    }

    @Test
    void ourOwnExceptionsPassThroughWithTheirVerdict() {
        RegistryException throttled = new RegistryException("slow down", true, null);
        assertThat(ServerFailures.translate("addDatum", throttled)).isSameAs(throttled);
        assertThat(ServerFailures.translateQuery(0, "c", "{}", throttled)).isSameAs(throttled);
        assertThat(ServerFailures.isTransient(new IllegalStateException("wrapped", throttled))).isTrue();
        assertThat(ServerFailures.isTransient(new RegistryException("missing"))).isFalse();
    }

    private static void assertTransient(Throwable driverFailure) {
        assertThat(ServerFailures.isTransient(driverFailure)).as("isTransient").isTrue();
        DatalakeException e = ServerFailures.translate("getData of 2 ids", driverFailure);
        assertThat(e).isInstanceOf(DatalakeTransientException.class).hasCause(driverFailure)
                .hasMessageStartingWith("getData of 2 ids");
        assertThat(e.isTransient()).isTrue();
    }

    private static void assertPermanent(Throwable driverFailure) {
        assertThat(ServerFailures.isTransient(driverFailure)).as("isTransient").isFalse();
        DatalakeException e = ServerFailures.translate("getStats", driverFailure);
        assertThat(e).isInstanceOf(DatalakeNonTransientException.class).hasCause(driverFailure);
        assertThat(e.isTransient()).isFalse();
    }
}
