package io.datalake.mongo;

import io.datalake.Datalake;
import io.datalake.DatalakeNonTransientException;
import io.datalake.DatalakeSettings;
import io.datalake.DatalakeTransientException;
import io.datalake.NewDatum;
import io.datalake.processor.Processor;
import io.datalake.processor.ProcessorInput;
import io.datalake.processor.ProcessorMetrics;
import io.datalake.processor.ProcessorOptions;
import io.datalake.processor.ProcessorRun;
import io.datalake.query.Query;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;
import reactor.core.publisher.Mono;

/**
 * One worker JVM of the processor chaos test ({@code EmbeddedProcessorChaosIT}): runs the chaos processor
 * continuously, prints {@code STARTED} once running, and on a {@code STOP} line on standard input stops gracefully,
 * prints {@code STOPPED} with its metrics and exits. The function fails transiently on a random tenth of its calls
 * and always fails, non-transiently, on the inputs {@link #alwaysFails} names.
 */
public final class ProcessorChaosChild {
    /** The processor's name. */
    static final String NAME = "chaos";
    /** The processor's version. */
    static final String VERSION = "v1";
    /** The kind of the inputs. */
    static final String INPUT_TYPE = "chaos-input";
    /** The kind of the outputs. */
    static final String OUTPUT_TYPE = "chaos-output";
    /** Inputs whose output of kind {@link #OUTPUT_TYPE} is missing. */
    static final String INPUTS = "["
            + "{\"data.type\": \"" + INPUT_TYPE + "\", \"column\": \"input\", \"strategy\": \"earliest\"},"
            + "{\"data.type\": \"" + OUTPUT_TYPE + "\", \"derived_from\": \"input\", \"column\": \"output\","
            + " \"strategy\": \"missing\"}]";
    /** Share of function calls that fail transiently. */
    static final double TRANSIENT_FAILURES = 0.10;
    /** How long a lease lasts: short, so the killed worker's inputs are taken over in test time. */
    static final Duration LEASE = Duration.ofSeconds(3);

    private ProcessorChaosChild() {
    }

    /**
     * Whether the function always fails for the input number {@code n}: one input in a hundred.
     *
     * @param n the input's number ({@code data.n})
     * @return true for the inputs that must end as dead letters
     */
    static boolean alwaysFails(int n) {
        return n % 100 == 37;
    }

    /**
     * The processor every worker runs.
     *
     * @return the chaos processor
     */
    static Processor processor() {
        return Processor.builder(NAME, VERSION)
                .input(ProcessorInput.missing(Query.fromJson(INPUTS)))
                .function(row -> {
                    Map<?, ?> data = (Map<?, ?>) Objects.requireNonNull(row.input().data(), "input data");
                    int n = ((Number) Objects.requireNonNull(data.get("n"), "n")).intValue();
                    if (alwaysFails(n)) {
                        return Mono.error(new DatalakeNonTransientException("the model refuses input " + n));
                    }
                    if (ThreadLocalRandom.current().nextDouble() < TRANSIENT_FAILURES) {
                        return Mono.error(new DatalakeTransientException("injected transient failure on input " + n,
                                null));
                    }
                    return Mono.just(NewDatum.builder().data(Map.of("type", OUTPUT_TYPE, "n", n))
                            .derivedFrom(row.inputId()).build());
                })
                .build();
    }

    /**
     * The options every worker runs with.
     *
     * @param workerId the worker's id
     * @return short leases, one in-process retry of a transient error, quick backoff
     */
    static ProcessorOptions options(String workerId) {
        // One in-process retry: an attempt then fails for good on 1 % of inputs, so the released-and-retried-later
        // path runs too; five failed attempts in a row (1e-10) never happen.
        return ProcessorOptions.builder().workerId(workerId).concurrency(8).batchSize(100).leaseDuration(LEASE)
                .maxRetries(1).maxAttempts(5).backoff(Duration.ofMillis(5), Duration.ofMillis(50))
                // Rescans are how the killed worker's expired leases and failed inputs come back: in test time.
                .pollInterval(Duration.ofMillis(250)).rescanInterval(Duration.ofSeconds(2)).build();
    }

    /**
     * Runs the worker.
     *
     * @param args the MongoDB URI, the database and the worker id
     * @throws Exception if reading standard input fails
     */
    public static void main(String[] args) throws Exception {
        try (Datalake lake = Datalakes.create(DatalakeSettings.builder().mongoUri(args[0]).database(args[1])
                .operationTimeout(Duration.ofSeconds(30)).build())) {
            ProcessorRun run = lake.processors().run(processor(), options(args[2]));
            System.out.println("STARTED");
            System.out.flush();
            BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            for (String line = in.readLine(); line != null && !line.equals("STOP"); line = in.readLine()) {
                // Only STOP means anything.
            }
            ProcessorMetrics m = Objects.requireNonNull(run.stop(Duration.ofSeconds(10)).block(Duration.ofSeconds(30)));
            System.out.println("STOPPED seen=" + m.seen() + " done=" + m.done() + " duplicates="
                    + m.duplicatesSkipped() + " failedAttempts=" + m.failedAttempts() + " retries=" + m.retries()
                    + " dead=" + m.deadLettered() + " inFlight=" + m.inFlight());
            System.out.flush();
        }
    }
}
