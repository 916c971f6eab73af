package io.datalake.mongo;

import static org.assertj.core.api.Assertions.assertThat;

import io.datalake.Datalake;
import io.datalake.Datum;
import io.datalake.NewDatum;
import io.datalake.processor.Processor;
import io.datalake.processor.ProcessorInput;
import io.datalake.processor.ProcessorMetrics;
import io.datalake.processor.ProcessorOptions;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.bson.Document;
import org.bson.types.ObjectId;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Processors when the server stops answering for a while (a proxy in front of the embedded server holds its
 * answers back): lease reads, lease writes, outcome records and output writes time out, are retried as transient
 * failures, and every input still ends with exactly one stored result.
 */
class EmbeddedProcessorFailuresTest {
    @Test
    void aServerThatStopsAnsweringForAWhileLeavesExactlyOneResultPerInput() throws Exception {
        try (StallingProxy proxy = StallingProxy.to(TestLakes.connectionString());
                Datalake lake = Datalakes.create(TestLakes.freshSettings().mongoUri(proxy.connectionString())
                        .operationTimeout(Duration.ofMillis(400)).build())) {
            List<ObjectId> inputs = lake.addData(Flux.range(0, 60).map(i -> NewDatum.of(Map.of("type", "image",
                    "n", i), Map.of()))).map(Datum::id).collectList().block();
            AtomicInteger calls = new AtomicInteger();
            Processor p = Processor.builder("tagger", "v1").input(ProcessorInput.matching("{\"data.type\": \"image\"}"))
                    .function(row -> {
                        if (calls.incrementAndGet() % 20 == 0) {
                            // The network goes away for longer than the operation time limit, then comes back.
                            proxy.stall();
                            Mono.delay(Duration.ofMillis(900)).subscribe(t -> proxy.resume());
                        }
                        return Mono.just(NewDatum.builder().data(Map.of("type", "tag")).derivedFrom(row.inputId())
                                .build());
                    }).build();

            ProcessorMetrics m = lake.processors().backfill(p, ProcessorOptions.builder().batchSize(8)
                    .maxRetries(10).backoff(Duration.ofMillis(50), Duration.ofMillis(300))
                    .pollInterval(Duration.ofMillis(50)).leaseDuration(Duration.ofSeconds(2)).build())
                    .completion().block(Duration.ofSeconds(120));

            proxy.resume();
            Map<ObjectId, Integer> outputs = new HashMap<>();
            for (Document d : Flux.from(TestLakes.documents(lake).find(new Document("metadata.processor.name",
                    "tagger"))).collectList().block()) {
                outputs.merge(d.getObjectId("derived_from"), 1, Integer::sum);
            }
            assertThat(outputs.keySet()).containsExactlyInAnyOrderElementsOf(inputs);
            assertThat(outputs.values()).allMatch(n -> n == 1);
            assertThat(m.deadLettered()).isZero();
            assertThat(m.done()).isEqualTo(60);
            assertThat(m.retries()).isPositive();
        }
    }
}
