package io.datalake.mongo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.mongodb.MongoSocketException;
import io.datalake.Datalake;
import io.datalake.DatalakeException;
import io.datalake.DatalakeNonTransientException;
import io.datalake.DatalakeTransientException;
import io.datalake.DatalakeTimeoutException;
import io.datalake.Datum;
import io.datalake.NewDatum;
import io.datalake.query.JoinMethod;
import io.datalake.query.Query;
import io.datalake.query.QueryOptions;
import java.io.IOException;
import java.io.UncheckedIOException;
import io.datalake.InvalidQueryException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.bson.types.ObjectId;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.util.retry.Retry;

/**
 * Starts the embedded server behind a proxy: a pipeline can tell a lost connection (transient, worth a retry) from
 * a bad filter (permanent, never worth one), and the README's {@code retryWhen} filter acts on that.
 */
class EmbeddedTransientFailuresTest {
    private static final Retry RETRY_TRANSIENT = Retry.backoff(3, Duration.ofMillis(20))
            .filter(e -> e instanceof DatalakeException d && d.isTransient());

    @Test
    void aDroppedConnectionSurfacesAsTransient() throws Exception {
        StallingProxy proxy = StallingProxy.to(TestLakes.connectionString());
        try (Datalake lake = Datalakes.create(TestLakes.freshSettings().mongoUri(proxy.connectionString())
                .operationTimeout(Duration.ofSeconds(1)).build())) {
            Datum image = lake.addDatum(Map.of("type", "image"), Map.of()).block();
            proxy.close(); // every connection is dropped and none can be made any more
            // The driver retries a read or an insert once on a new connection; with no server to reach, what
            // surfaces is that retry running out of time: a DatalakeTimeoutException, transient like the drop.
            assertThatThrownBy(() -> lake.getDatum(image.id()).block())
                    .isInstanceOf(DatalakeTransientException.class)
                    .isInstanceOfSatisfying(DatalakeException.class, e -> assertThat(e.isTransient()).isTrue())
                    .hasMessageContaining("getDatum " + image.id());
            assertThatThrownBy(() -> lake.queryData("[{\"column\": \"image\", \"data.type\": \"image\"}]", null,
                    false).block()).isInstanceOf(DatalakeTransientException.class);
            assertThatThrownBy(() -> lake.addDatum(Map.of("type", "label"), Map.of()).block())
                    .isInstanceOf(DatalakeTransientException.class);
        }
    }

    @Test
    void aConnectionDroppedInTheMiddleOfAQuerySurfacesAsTransient() throws Exception {
        StallingProxy proxy = StallingProxy.to(TestLakes.connectionString());
        try (Datalake lake = Datalakes.create(TestLakes.freshSettings().mongoUri(proxy.connectionString())
                .operationTimeout(Duration.ofSeconds(5)).build())) {
            lake.addData(Flux.range(0, 200).map(i -> NewDatum.of(Map.of("type", "image", "n", i), Map.of())))
                    .blockLast();
            AtomicBoolean dropped = new AtomicBoolean();
            Flux<Map<String, ObjectId>> rows = lake.queryRows(
                            Query.fromJson("[{\"column\": \"image\", \"data.type\": \"image\"}]"),
                            QueryOptions.builder().batchSize(10).joinHint(JoinMethod.LOOKUP).build())
                    .doOnNext(row -> {
                        if (dropped.compareAndSet(false, true)) {
                            closeQuietly(proxy); // the rest of the rows needs a getMore, which is never retried
                        }
                    });

            assertThatThrownBy(rows::blockLast)
                    .isInstanceOf(DatalakeTransientException.class)
                    .isNotInstanceOf(DatalakeTimeoutException.class)
                    .hasMessageStartingWith("query failed reading level 0 ('image')")
                    .hasRootCauseInstanceOf(MongoSocketException.class);
        }
    }

    @Test
    void aRetryFilteredOnIsTransientRidesOutALostConnection() throws Exception {
        try (StallingProxy proxy = StallingProxy.to(TestLakes.connectionString());
                Datalake lake = Datalakes.create(TestLakes.freshSettings().mongoUri(proxy.connectionString())
                        .build())) {
            Datum image = lake.addDatum(Map.of("type", "image"), Map.of()).block();
            Datalake impatient = lake.withOperationTimeout(Duration.ofMillis(300));
            proxy.stall();
            AtomicInteger failures = new AtomicInteger();

            Datum read = impatient.getDatum(image.id())
                    .doOnError(e -> {
                        failures.incrementAndGet();
                        proxy.resume(); // the network comes back after the first failure
                    })
                    .retryWhen(RETRY_TRANSIENT)
                    .block();

            assertThat(read.id()).isEqualTo(image.id());
            assertThat(failures).hasValue(1);
        }
    }

    private static void closeQuietly(StallingProxy proxy) {
        try {
            proxy.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Test
    void aBadFilterIsPermanentAndNotRetried() {
        try (Datalake lake = TestLakes.newLake()) {
            AtomicInteger subscriptions = new AtomicInteger();
            assertThatThrownBy(() -> lake.queryData("[{\"column\": \"a\", \"$where\": \"1\"}]", null, false)
                    .doOnSubscribe(s -> subscriptions.incrementAndGet())
                    .retryWhen(RETRY_TRANSIENT)
                    .block())
                    .isInstanceOf(InvalidQueryException.class)
                    .isInstanceOf(DatalakeNonTransientException.class)
                    .isInstanceOfSatisfying(DatalakeException.class, e -> assertThat(e.isTransient()).isFalse());
            assertThat(subscriptions).hasValue(1);
        }
    }

    @Test
    void aFilterTheServerRefusesIsPermanent() {
        try (Datalake lake = TestLakes.newLake()) {
            lake.addDatum(Map.of("name", "x"), Map.of()).block();
            // Passes the client's checks; the server cannot compile the regular expression.
            assertThatThrownBy(() -> lake.queryData("[{\"column\": \"a\", \"data.name\": {\"$regex\": \"(\"}}]",
                    null, false).block())
                    .isInstanceOfSatisfying(DatalakeException.class, e -> assertThat(e.isTransient()).isFalse())
                    .isInstanceOf(DatalakeNonTransientException.class);
        }
    }
}
