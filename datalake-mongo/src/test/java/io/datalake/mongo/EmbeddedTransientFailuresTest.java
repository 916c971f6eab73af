package io.datalake.mongo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.datalake.Datalake;
import io.datalake.DatalakeException;
import io.datalake.DatalakeNonTransientException;
import io.datalake.DatalakeTransientException;
import io.datalake.Datum;
import io.datalake.InvalidQueryException;
import io.datalake.query.Query;
import io.datalake.query.QueryOptions;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
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

    @Test
    void aBadFilterIsPermanentAndNotRetried() {
        try (Datalake lake = TestLakes.newLake()) {
            AtomicInteger subscriptions = new AtomicInteger();
            assertThatThrownBy(() -> lake.queryRows(Query.fromJson("[{\"column\": \"a\", \"$where\": \"1\"}]"),
                            QueryOptions.defaults())
                    .doOnSubscribe(s -> subscriptions.incrementAndGet())
                    .retryWhen(RETRY_TRANSIENT)
                    .blockLast())
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
