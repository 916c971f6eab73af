package io.datalake.mongo;

import static org.assertj.core.api.Assertions.assertThat;

import io.datalake.Datalake;
import io.datalake.processor.DeadLetter;
import io.datalake.processor.Processor;
import io.datalake.processor.ProcessorInput;
import io.datalake.processor.ProcessorMetrics;
import io.datalake.processor.ProcessorOptions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

/** Errors of a processor's function that Reactor treats as fatal, and error messages stored in dead letters. */
class EmbeddedProcessorFunctionErrorsTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    /**
     * A function whose model class cannot be loaded (NoClassDefFoundError, ExceptionInInitializerError: LinkageErrors,
     * which Reactor rethrows instead of signalling) or that recurses too deep must fail its input like any other error,
     * not leave it in flight forever with a lease renewed forever and a backfill that never completes.
     */
    @Test
    void linkageErrorsAndStackOverflowsOfTheFunctionBecomeDeadLetters() {
        try (Datalake lake = TestLakes.newLake()) {
            for (int i = 0; i < 3; i++) {
                lake.addDatum(Map.of("type", "image", "n", i), Map.of()).block(TIMEOUT);
            }
            Processor processor = Processor.builder("broken", "v1")
                    .input(ProcessorInput.matching("{\"data.type\": \"image\"}"))
                    .function(row -> {
                        int n = ((Number) ((Map<?, ?>) row.input().data()).get("n")).intValue();
                        if (n == 0) {
                            throw new NoClassDefFoundError("com/example/Model");
                        }
                        if (n == 1) {
                            throw new StackOverflowError("deep");
                        }
                        return Mono.error(new ExceptionInInitializerError("static init of the model"));
                    })
                    .build();

            ProcessorMetrics metrics = lake.processors().backfill(processor, ProcessorOptions.defaults())
                    .completion().block(TIMEOUT);

            assertThat(metrics.deadLettered()).isEqualTo(3);
            assertThat(metrics.inFlight()).isZero();
            List<DeadLetter> letters = lake.processors().deadLetters("broken", "v1").collectList().block(TIMEOUT);
            assertThat(letters).extracting(DeadLetter::errorType).containsExactlyInAnyOrder(
                    NoClassDefFoundError.class.getName(), StackOverflowError.class.getName(),
                    ExceptionInInitializerError.class.getName());
            assertThat(letters).extracting(DeadLetter::errorMessage).containsExactlyInAnyOrder(
                    "com/example/Model", "deep", "static init of the model");
        }
    }

    /**
     * A long message is cut for the dead letter, never inside a surrogate pair: half a pair is not valid UTF-8, and
     * clients that decode strictly (pymongo by default) could not read the lease document.
     */
    @Test
    void aLongMessageIsNotCutInsideASurrogatePair() {
        try (Datalake lake = TestLakes.newLake()) {
            lake.addDatum(Map.of("type", "image"), Map.of()).block(TIMEOUT);
            String message = "x".repeat(999) + "\uD83D\uDE00" + "y".repeat(100_000);
            Processor processor = Processor.builder("emoji", "v1")
                    .input(ProcessorInput.matching("{\"data.type\": \"image\"}"))
                    .function(row -> Mono.error(new IllegalStateException(message)))
                    .build();

            lake.processors().backfill(processor, ProcessorOptions.defaults()).completion().block(TIMEOUT);

            List<DeadLetter> letters = lake.processors().deadLetters("emoji", "v1").collectList().block(TIMEOUT);
            assertThat(letters).hasSize(1);
            String stored = letters.get(0).errorMessage();
            assertThat(stored).doesNotContain("\uFFFD").startsWith("x".repeat(999)).endsWith("...")
                    .hasSizeLessThanOrEqualTo(1003);
        }
    }
}
