package io.datalake.mongo.internal.processor;

import io.datalake.Datalake;
import io.datalake.DatumValidationException;
import io.datalake.NewDatum;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import org.bson.types.ObjectId;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.MonoSink;

/**
 * Writes the outputs of a run's inputs with group commit: a write asked while others are under way waits and is
 * sent together with the other waiting ones as one {@code addData} batch (one existence check, one insert, one
 * parent re-check for the group instead of one of each per input), with no timer and no added latency when the
 * worker is idle. A group never holds more than the lake's batch size of datums, so it is one all-or-nothing batch:
 * each input's outputs are stored all together or not at all. When a group write fails for any reason (an anchor
 * already stored, a parent deleted, a schema violation, a transient failure) its inputs are written again one by one,
 * so each gets its own outcome, exactly as without grouping.
 */
final class OutputWriter {
    /** Group writes under way at once per run: one being written while the next group gathers. */
    private static final int MAX_WRITES = 2;

    private final Datalake lake;
    private final int maxDatums;
    /** The subset of the given anchors that are stored. */
    private final Function<List<ObjectId>, Mono<Set<ObjectId>>> storedAnchors;
    private final ArrayDeque<Request> waiting = new ArrayDeque<>();
    private int writing;

    /** Thrown to a request whose write was refused because another attempt's result (its anchor) is stored. */
    static final class DuplicateResult extends RuntimeException {
        private static final long serialVersionUID = 1L;

        DuplicateResult() {
            super("another attempt's result is stored", null, false, false);
        }
    }

    private record Request(ObjectId anchor, List<NewDatum> outputs, MonoSink<Integer> sink) {
    }

    OutputWriter(Datalake lake, int maxDatums, Function<List<ObjectId>, Mono<Set<ObjectId>>> storedAnchors) {
        this.lake = lake;
        this.maxDatums = maxDatums;
        this.storedAnchors = storedAnchors;
    }

    /**
     * Writes the prepared outputs of one input (output #0 has the anchor id); emits how many were stored, or fails
     * with {@link DuplicateResult} when another attempt's result is stored, or with the write's error.
     */
    Mono<Integer> write(ObjectId anchor, List<NewDatum> outputs) {
        return Mono.<Integer>create(sink -> {
            synchronized (waiting) {
                waiting.add(new Request(anchor, outputs, sink));
            }
            drain();
        });
    }

    private void drain() {
        List<Request> group = new ArrayList<>();
        synchronized (waiting) {
            if (writing >= MAX_WRITES || waiting.isEmpty()) {
                return;
            }
            int datums = 0;
            while (!waiting.isEmpty() && (group.isEmpty() || datums + waiting.peek().outputs().size() <= maxDatums)) {
                Request next = waiting.poll();
                datums += next.outputs().size();
                group.add(next);
            }
            writing++;
        }
        Mono<Void> written = group.size() == 1 ? alone(group.get(0)) : together(group);
        written.doFinally(signal -> {
            synchronized (waiting) {
                writing--;
            }
            drain();
        }).subscribe();
    }

    private Mono<Void> together(List<Request> group) {
        List<NewDatum> all = new ArrayList<>();
        for (Request r : group) {
            all.addAll(r.outputs());
        }
        return lake.addData(Flux.fromIterable(all)).count()
                .doOnNext(stored -> {
                    for (Request r : group) {
                        r.sink().success(r.outputs().size());
                    }
                })
                .then()
                // Nothing of the group is stored (all-or-nothing): each input alone gets its own outcome.
                .onErrorResume(e -> Flux.fromIterable(group).flatMap(this::alone).then());
    }

    private Mono<Void> alone(Request r) {
        return lake.addData(Flux.fromIterable(r.outputs())).count()
                .map(Long::intValue)
                .onErrorResume(e -> e instanceof DatumValidationException, e -> storedAnchors.apply(List.of(r.anchor()))
                        // Whoever writes the anchor first wins; a refused write whose anchor exists lost to it.
                        .flatMap(found -> Mono.error(found.isEmpty() ? e : new DuplicateResult())))
                .doOnNext(n -> r.sink().success(n))
                .doOnError(e -> r.sink().error(e))
                .then()
                .onErrorResume(e -> Mono.empty());
    }
}
