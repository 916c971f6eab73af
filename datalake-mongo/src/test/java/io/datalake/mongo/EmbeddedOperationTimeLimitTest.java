package io.datalake.mongo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.datalake.Datalake;
import io.datalake.DatalakeSettings;
import io.datalake.DatalakeTimeoutException;
import io.datalake.Datum;
import io.datalake.InvalidArgumentException;
import io.datalake.InvalidQueryException;
import io.datalake.query.Query;
import io.datalake.query.QueryOptions;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Every server operation runs under the lake's operation time limit and fails with a typed, transient timeout when
 * the server does not answer; catastrophic regular expressions never reach a server.
 */
class EmbeddedOperationTimeLimitTest {
    /** Far above every limit used here and far below the driver's own 30 s server selection wait. */
    private static final long WELL_BEFORE_MS = 15_000;

    @Test
    void theDefaultLimitIsSixtySecondsAndOutOfRangeLimitsAreRefused() {
        assertThat(DatalakeSettings.builder().build().operationTimeout()).isEqualTo(Duration.ofSeconds(60));
        assertThatThrownBy(() -> DatalakeSettings.builder().operationTimeout(Duration.ZERO))
                .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("operationTimeout");
        assertThatThrownBy(() -> DatalakeSettings.builder().operationTimeout(Duration.ofDays(30)))
                .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("operationTimeout");
        try (Datalake lake = TestLakes.newLake()) {
            assertThatThrownBy(() -> lake.withOperationTimeout(Duration.ofMillis(-5)))
                    .isInstanceOf(InvalidArgumentException.class);
        }
    }

    @Test
    void openingALakeOnAServerThatNeverAnswersFailsWithATransientTimeout() throws Exception {
        try (StallingProxy silent = StallingProxy.silent()) {
            DatalakeSettings settings = DatalakeSettings.builder()
                    .mongoUri(silent.connectionString())
                    .operationTimeout(Duration.ofMillis(500))
                    .build();
            long started = System.nanoTime();
            assertThatThrownBy(() -> Datalakes.create(settings))
                    .isInstanceOfSatisfying(DatalakeTimeoutException.class,
                            e -> assertThat(e.isTransient()).isTrue())
                    .hasMessageContaining("operationTimeout");
            assertThat((System.nanoTime() - started) / 1_000_000).isLessThan(WELL_BEFORE_MS);
        }
    }

    @Test
    void operationsOnAServerThatStopsAnsweringFailWithTheTimeoutOfTheView() throws Exception {
        try (StallingProxy proxy = StallingProxy.to(TestLakes.connectionString());
                Datalake lake = Datalakes.create(TestLakes.freshSettings().mongoUri(proxy.connectionString()).build())) {
            Datum image = lake.addDatum(Map.of("type", "image"), Map.of()).block();
            Datalake impatient = lake.withOperationTimeout(Duration.ofMillis(300));
            proxy.stall();

            long started = System.nanoTime();
            assertThatThrownBy(() -> impatient.getDatum(image.id()).block())
                    .isInstanceOfSatisfying(DatalakeTimeoutException.class,
                            e -> assertThat(e.isTransient()).isTrue())
                    .hasMessageContaining("getDatum " + image.id());
            assertThatThrownBy(() -> impatient.queryData("[{\"column\": \"image\", \"data.type\": \"image\"}]", null,
                    false).block()).isInstanceOf(DatalakeTimeoutException.class);
            assertThatThrownBy(() -> impatient.getStats().block()).isInstanceOf(DatalakeTimeoutException.class);
            assertThatThrownBy(() -> impatient.addDatum(Map.of("type", "label"), Map.of()).block())
                    .isInstanceOf(DatalakeTimeoutException.class);
            assertThat((System.nanoTime() - started) / 1_000_000).isLessThan(WELL_BEFORE_MS);

            impatient.close();
            assertThat(lake.toString()).doesNotContain("view");
            assertThat(impatient.toString()).contains("view");
        }
    }

    @Test
    void aRegexBombIsRefusedBeforeAnyIo() throws Exception {
        try (StallingProxy proxy = StallingProxy.to(TestLakes.connectionString());
                Datalake lake = Datalakes.create(TestLakes.freshSettings().mongoUri(proxy.connectionString())
                        .operationTimeout(Duration.ofSeconds(30)).build())) {
            proxy.stall(); // any I/O would now wait 30 s for its timeout
            long started = System.nanoTime();
            assertThatThrownBy(() -> lake.queryRows(Query.fromJson(
                    "[{\"column\": \"x\", \"data.name\": {\"$regex\": \"(.*a){20}x\"}}]"), QueryOptions.defaults())
                    .blockLast())
                    .isInstanceOf(InvalidQueryException.class)
                    .hasMessageContaining("(.*a){20}x")
                    .hasMessageContaining("catastrophic backtracking");
            assertThat((System.nanoTime() - started) / 1_000_000).isLessThan(WELL_BEFORE_MS);
        }
    }
}
