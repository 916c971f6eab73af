package io.datalake.dataset;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** The two user-check shapes; a thrown or signalled error turns into a failed result, never a pass. */
final class RowChecks {
    private static final int CONCURRENCY = 16;

    private RowChecks() {
    }

    static String requireName(String name) {
        if (name.isBlank()) {
            throw new io.datalake.InvalidArgumentException("a check needs a non-blank name, was '" + name + "'");
        }
        return name;
    }

    static CheckResult failedBy(String name, long checked, Throwable e) {
        return new CheckResult(name, false, checked, 0, List.of(), "check threw " + e);
    }

    record EveryRow(String name, Function<Row, Mono<Boolean>> predicate) implements DatasetCheck {
        EveryRow {
            requireName(name);
        }

        @Override
        public Mono<CheckResult> run(Flux<Row> rows, AuditOptions options) {
            AtomicLong checked = new AtomicLong();
            AtomicLong failures = new AtomicLong();
            List<Long> examples = new ArrayList<>();
            return rows.flatMapSequential(row -> Mono.defer(() -> predicate.apply(row))
                            .defaultIfEmpty(false).map(ok -> ok ? -1L : row.number()), CONCURRENCY)
                    .doOnNext(failed -> {
                        checked.incrementAndGet();
                        if (failed >= 0) {
                            failures.incrementAndGet();
                            if (examples.size() < options.maxExamples()) {
                                examples.add(failed);
                            }
                        }
                    })
                    .then(Mono.fromSupplier(() -> new CheckResult(name, failures.get() == 0, checked.get(),
                            failures.get(), examples, failures.get() == 0 ? null
                                    : failures.get() + " of " + checked.get() + " rows failed")))
                    .onErrorResume(e -> Mono.just(failedBy(name, checked.get(), e)));
        }
    }

    record AllRows(String name, Function<Flux<Row>, Mono<Boolean>> predicate) implements DatasetCheck {
        AllRows {
            requireName(name);
        }

        @Override
        public Mono<CheckResult> run(Flux<Row> rows, AuditOptions options) {
            AtomicLong checked = new AtomicLong();
            return Mono.defer(() -> predicate.apply(rows.doOnNext(r -> checked.incrementAndGet())))
                    .defaultIfEmpty(false)
                    .map(ok -> new CheckResult(name, ok, checked.get(), 0, List.of(),
                            ok ? null : "the check returned false"))
                    .onErrorResume(e -> Mono.just(failedBy(name, checked.get(), e)));
        }
    }
}
