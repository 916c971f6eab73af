package io.datalake.mongo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.datalake.Datalake;
import io.datalake.InvalidArgumentException;
import io.datalake.processor.Processor;
import io.datalake.processor.ProcessorInput;
import io.datalake.processor.ProcessorMetrics;
import io.datalake.processor.ProcessorOptions;
import io.datalake.processor.ProcessorRun;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

/** Durations given to a running processor: "forever" is a valid grace period; bad values are typed errors. */
class EmbeddedProcessorRunArgumentsTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    @Test
    void stopWithAnUnboundedGraceWaitsForTheInputsInFlight() {
        try (Datalake lake = TestLakes.newLake()) {
            lake.addDatum(Map.of("type", "image"), Map.of()).block(TIMEOUT);
            Processor processor = Processor.builder("slow", "v1")
                    .input(ProcessorInput.matching("{\"data.type\": \"image\"}"))
                    .function(row -> Mono.delay(Duration.ofMillis(300)).then(Mono.empty()))
                    .build();
            ProcessorRun run = lake.processors().run(processor, ProcessorOptions.defaults());

            ProcessorMetrics stopped = run.stop(ChronoUnit.FOREVER.getDuration()).block(TIMEOUT);

            assertThat(stopped).isNotNull();
            assertThatThrownBy(() -> run.metrics(ChronoUnit.FOREVER.getDuration()).blockLast(TIMEOUT))
                    .isInstanceOf(InvalidArgumentException.class);
        }
    }
}
