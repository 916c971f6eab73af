package io.datalake.processor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.datalake.InvalidArgumentException;
import io.datalake.query.Query;
import java.time.Duration;
import org.bson.BsonDocument;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;

/** Declaring processors and their options: defaults, ranges and typed refusals before anything runs. */
class ProcessorApiTest {
    @Test
    void optionsHaveNamedDefaultsAndRefuseValuesOutOfRange() {
        ProcessorOptions d = ProcessorOptions.defaults();
        assertThat(d.pollInterval()).isEqualTo(ProcessorOptions.DEFAULT_POLL_INTERVAL);
        assertThat(d.rescanInterval()).isEqualTo(ProcessorOptions.DEFAULT_RESCAN_INTERVAL);
        assertThat(d.leaseDuration()).isEqualTo(ProcessorOptions.DEFAULT_LEASE_DURATION);
        assertThat(d.attemptTimeout()).isEqualTo(ProcessorOptions.DEFAULT_ATTEMPT_TIMEOUT);
        assertThatThrownBy(() -> ProcessorOptions.builder().attemptTimeout(Duration.ZERO))
                .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("attemptTimeout");
        assertThatThrownBy(() -> ProcessorOptions.builder().attemptTimeout(Duration.ofDays(2)))
                .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("attemptTimeout");
        assertThat(d.workerId()).isNotEqualTo(ProcessorOptions.defaults().workerId());
        ProcessorOptions o = ProcessorOptions.builder().pollInterval(Duration.ofMillis(10))
                .rescanInterval(Duration.ofHours(1)).build();
        assertThat(o.pollInterval()).isEqualTo(Duration.ofMillis(10));
        assertThat(o.rescanInterval()).isEqualTo(Duration.ofHours(1));
        assertThatThrownBy(() -> ProcessorOptions.builder().pollInterval(Duration.ofMillis(9)))
                .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("pollInterval");
        assertThatThrownBy(() -> ProcessorOptions.builder().rescanInterval(null))
                .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("rescanInterval");
        assertThatThrownBy(() -> ProcessorOptions.builder().rescanInterval(Duration.ofHours(2)))
                .isInstanceOf(InvalidArgumentException.class);
        assertThatThrownBy(() -> ProcessorOptions.builder().concurrency(0))
                .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("concurrency");
        assertThatThrownBy(() -> ProcessorOptions.builder().backoff(Duration.ofSeconds(2), Duration.ofSeconds(1)))
                .isInstanceOf(InvalidArgumentException.class);
    }

    @Test
    void leasesAndBackoffsLongerThanADayAreRefusedBeforeARunOverflowsItsTimers() {
        Duration forever = java.time.temporal.ChronoUnit.FOREVER.getDuration();
        assertThatThrownBy(() -> ProcessorOptions.builder().leaseDuration(forever))
                .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("leaseDuration");
        assertThatThrownBy(() -> ProcessorOptions.builder().backoff(Duration.ZERO, forever))
                .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("backoff");
        ProcessorOptions longest = ProcessorOptions.builder().leaseDuration(ProcessorOptions.MAX_LEASE_DURATION)
                .backoff(ProcessorOptions.MAX_BACKOFF, ProcessorOptions.MAX_BACKOFF).build();
        assertThat(longest.leaseDuration()).isEqualTo(Duration.ofDays(1));
        assertThat(longest.maxBackoff()).isEqualTo(Duration.ofDays(1));
    }

    @Test
    void aProcessorNeedsAValidNameAnInputAndAFunction() {
        assertThatThrownBy(() -> Processor.builder("has space", "v1"))
                .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("has space");
        assertThatThrownBy(() -> Processor.builder("p", "v1").function(row -> Flux.empty()).build())
                .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("p@v1");
        Processor p = Processor.builder("p", "v1").input(ProcessorInput.matching("{\"data.type\": \"image\"}"))
                .function(row -> Flux.empty()).build();
        assertThat(p.key()).isEqualTo("p@v1");
        assertThat(p.input().filter().toBsonDocument()).isEqualTo(BsonDocument.parse("{\"data.type\": \"image\"}"));
        assertThat(p.input().inputColumn()).isEqualTo(ProcessorInput.INPUT_COLUMN);
    }

    @Test
    void aMissingInputNeedsAQueryEndingWithAMissingLevel() {
        Query ok = Query.fromJson("""
                [{"column": "image", "data.type": "image"},
                 {"column": "label", "derived_from": "image", "strategy": "missing"}]""");
        assertThat(ProcessorInput.missing(ok).inputColumn()).isEqualTo("image");
        Query notMissing = Query.fromJson("[{\"column\": \"image\"}, {\"column\": \"label\", \"derived_from\":"
                + " \"image\"}]");
        assertThatThrownBy(() -> ProcessorInput.missing(notMissing))
                .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("missing");
        assertThatThrownBy(() -> ProcessorInput.matching("not json"))
                .isInstanceOf(InvalidArgumentException.class);
    }
}
