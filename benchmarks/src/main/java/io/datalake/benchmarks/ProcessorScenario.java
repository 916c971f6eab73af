package io.datalake.benchmarks;

import io.datalake.Datalake;
import io.datalake.NewDatum;
import io.datalake.processor.Processor;
import io.datalake.processor.ProcessorInput;
import io.datalake.processor.ProcessorMetrics;
import io.datalake.processor.ProcessorOptions;
import io.datalake.processor.ProcessorRun;
import io.datalake.query.Query;
import io.datalake.query.QueryOptions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;
import org.bson.types.ObjectId;
import reactor.core.publisher.Mono;

/**
 * Scenario 16: a processor backfill with a no-op function (one output derived from each input) against the loop a
 * team writes by hand: the same {@code missing} query, {@code flatMap} with the same concurrency, one
 * {@code addDatum(..., derivedFrom)} per row. Interleaved, each run on a fresh database holding the same inputs
 * (loaded untimed); the processor's price is its leases (a lookup and a conditional bulk upsert per batch, a bulk
 * "done" per batch) and its bookkeeping.
 */
final class ProcessorScenario {
    /** Inputs processed at once, by the processor and by the hand-written loop. */
    static final int CONCURRENCY = 8;
    static final String INPUT_TYPE = "image";
    static final String OUTPUT_TYPE = "noop";
    /** Images with no no-op output yet. */
    static final String INPUTS = "["
            + "{\"data.type\": \"" + INPUT_TYPE + "\", \"column\": \"image\", \"strategy\": \"earliest\"},"
            + "{\"data.type\": \"" + OUTPUT_TYPE + "\", \"derived_from\": \"image\", \"column\": \"out\","
            + " \"strategy\": \"missing\"}]";

    private ProcessorScenario() {
    }

    static ScenarioResult run(BenchmarkRun.Context context) throws Exception {
        BenchServer server = context.server();
        int n = context.options().processorInputs();
        List<NewDatum> inputs = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            inputs.add(NewDatum.of(Map.of("type", INPUT_TYPE, "seq", i), Map.of("camera", "cam-" + (i % 7))));
        }
        Query query = Query.fromJson(INPUTS);
        Processor noop = Processor.builder("noop", "v1")
                .input(ProcessorInput.missing(query))
                .function(row -> Mono.just(output(row.inputId())))
                .build();
        List<ProcessorMetrics> metrics = new ArrayList<>();
        String processor = "processor backfill, no-op function, " + n + " inputs";
        String loop = "raw loop: missing query + addDatum per row, " + n + " inputs";
        Map<String, Stats> stats = Interleaved.run(List.of(
                trial(server, processor, inputs, lake -> {
                    try (ProcessorRun run = lake.processors().backfill(noop, ProcessorOptions.builder()
                            .concurrency(CONCURRENCY).build())) {
                        metrics.add(Objects.requireNonNull(run.completion().block()));
                    }
                }),
                trial(server, loop, inputs, lake -> lake.queryRows(query, QueryOptions.defaults())
                        .flatMap(row -> lake.addDatum(output(Objects.requireNonNull(row.get("image")))),
                                CONCURRENCY)
                        .then().block())), context);

        ScenarioResult result = new ScenarioResult(16, "Processor throughput");
        result.setup.add(n + " input datums of kind '" + INPUT_TYPE + "' (2 small fields), each run on a fresh "
                + "database (inputs loaded untimed); input query: images `missing` an output of kind '"
                + OUTPUT_TYPE + "'");
        result.setup.add("Both sides: " + CONCURRENCY + " inputs in flight, one output {type: noop} derived from each"
                + " input; the processor with ProcessorOptions defaults otherwise (batch "
                + ProcessorOptions.DEFAULT_BATCH_SIZE + ", lease " + ProcessorOptions.DEFAULT_LEASE_DURATION
                + "), one worker");
        result.timed(stats, processor, n, "inputs");
        result.timed(stats, loop, n, "inputs");
        result.checks.add(Check.paired("processor no-op throughput / raw loop (paired)", Stats.in(stats, loop),
                Stats.in(stats, processor), true, 0.7));
        if (!metrics.isEmpty()) {
            ProcessorMetrics last = metrics.get(metrics.size() - 1);
            result.notes.add("last processor run: " + last.done() + " done, " + last.duplicatesSkipped()
                    + " duplicates skipped, " + last.failedAttempts() + " failed attempts");
        }
        return result;
    }

    private static NewDatum output(ObjectId input) {
        return NewDatum.builder().data(Map.of("type", OUTPUT_TYPE)).derivedFrom(input).build();
    }

    /** A run on a fresh lake holding the inputs (loaded untimed); afterwards it must hold one output per input. */
    private static Trial trial(BenchServer server, String name, List<NewDatum> inputs, Consumer<Datalake> body) {
        return IngestScenario.lakeTrial(server, name, 2L * inputs.size(), lake -> {
            BenchServer.load(lake, inputs);
            System.gc();
        }, body::accept);
    }
}
