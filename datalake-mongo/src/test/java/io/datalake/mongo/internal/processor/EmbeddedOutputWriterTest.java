package io.datalake.mongo.internal.processor;

import static org.assertj.core.api.Assertions.assertThat;

import io.datalake.Datalake;
import io.datalake.Datum;
import io.datalake.DatumNotFoundException;
import io.datalake.NewDatum;
import io.datalake.mongo.Datalakes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.bson.types.ObjectId;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** Group commit of processor outputs: a failed group write gives each input its own outcome. */
class EmbeddedOutputWriterTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private final Datalake lake = Datalakes.embedded();

    @AfterEach
    void close() {
        lake.close();
    }

    private Mono<Set<ObjectId>> stored(List<ObjectId> ids) {
        return Flux.fromIterable(ids)
                .flatMap(id -> lake.getDatum(id).map(Datum::id).onErrorResume(e -> Mono.empty()))
                .collect(HashSet::new, Set::add);
    }

    private static NewDatum output(ObjectId anchor, ObjectId input) {
        return NewDatum.builder().id(anchor).data(Map.of("type", "label")).derivedFrom(input).build();
    }

    @Test
    void aGroupWithAStoredAnchorAndADeletedParentStoresEveryOtherInputOnceAndFailsOnlyThoseTwo() {
        List<Datum> inputs = lake.addData(Flux.range(0, 12).map(i -> NewDatum.of(Map.of("n", i), Map.of())))
                .collectList().block(WAIT);
        List<ObjectId> anchors = new ArrayList<>();
        for (int i = 0; i < inputs.size(); i++) {
            anchors.add(new ObjectId());
        }
        // Input 7's result is already stored by another attempt; input 9's parent is gone.
        lake.addDatum(output(anchors.get(7), inputs.get(7).id())).block(WAIT);
        ObjectId ghost = new ObjectId();
        OutputWriter writer = new OutputWriter(lake, 1000, this::stored);

        List<Object> results = Flux.range(0, inputs.size())
                .flatMapSequential(i -> writer.write(anchors.get(i),
                                List.of(output(anchors.get(i), i == 9 ? ghost : inputs.get(i).id())))
                        .<Object>map(n -> n)
                        .onErrorResume(e -> Mono.just(e)), inputs.size())
                .collectList().block(WAIT);

        for (int i = 0; i < inputs.size(); i++) {
            if (i == 7) {
                assertThat(results.get(i)).isInstanceOf(OutputWriter.DuplicateResult.class);
            } else if (i == 9) {
                assertThat(results.get(i)).isInstanceOf(DatumNotFoundException.class);
            } else {
                assertThat(results.get(i)).as("input %d", i).isEqualTo(1);
            }
        }
        Set<ObjectId> storedAnchors = stored(anchors).block(WAIT);
        assertThat(storedAnchors).hasSize(inputs.size() - 1).doesNotContain(anchors.get(9));
    }

    @Test
    void aGroupNeverHoldsMoreDatumsThanOneBatchSoEachInputStaysAllOrNothing() {
        List<Datum> inputs = lake.addData(Flux.range(0, 6).map(i -> NewDatum.of(Map.of("n", i), Map.of())))
                .collectList().block(WAIT);
        OutputWriter writer = new OutputWriter(lake, 5, this::stored);
        List<ObjectId> anchors = new ArrayList<>();
        List<Mono<Integer>> writes = new ArrayList<>();
        for (Datum input : inputs) {
            ObjectId anchor = new ObjectId();
            anchors.add(anchor);
            List<NewDatum> three = List.of(output(anchor, input.id()),
                    NewDatum.builder().data(Map.of("k", 1)).derivedFrom(input.id()).build(),
                    NewDatum.builder().data(Map.of("k", 2)).derivedFrom(input.id()).build());
            writes.add(writer.write(anchor, three));
        }

        List<Integer> stored = Flux.merge(writes).collectList().block(WAIT);

        assertThat(stored).hasSize(6).containsOnly(3);
        assertThat(stored(anchors).block(WAIT)).hasSize(6);
        for (Datum input : inputs) {
            assertThat(lake.getDirectlyDerivedData(input.id()).count().block(WAIT)).isEqualTo(3);
        }
    }
}
