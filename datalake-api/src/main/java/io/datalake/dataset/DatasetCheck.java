package io.datalake.dataset;

import java.util.function.Function;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * A user check run by {@link Datasets#audit}. A check that throws or signals an error fails the audit (its message
 * lands in the report), it never passes it.
 */
public interface DatasetCheck {
    /**
     * Returns the check's name, shown in the report.
     *
     * @return the name, not blank
     */
    String name();

    /**
     * Runs the check over all rows of the draft, in manifest order.
     *
     * @param rows the rows, with backpressure
     * @param options the audit options (for {@link AuditOptions#maxExamples()})
     * @return the result
     */
    Mono<CheckResult> run(Flux<Row> rows, AuditOptions options);

    /**
     * A check that every row must pass, for example "every image has a label".
     *
     * @param name the check's name
     * @param predicate tells whether one row passes; called with bounded concurrency
     * @return the check
     */
    static DatasetCheck everyRow(String name, Function<Row, Mono<Boolean>> predicate) {
        return new RowChecks.EveryRow(name, predicate);
    }

    /**
     * A check over the whole version, for example "class balance within bounds".
     *
     * @param name the check's name
     * @param predicate tells whether the rows, as a whole, pass
     * @return the check
     */
    static DatasetCheck allRows(String name, Function<Flux<Row>, Mono<Boolean>> predicate) {
        return new RowChecks.AllRows(name, predicate);
    }
}
