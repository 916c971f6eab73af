package io.datalake.mongo.internal.dataset;

import io.datalake.DatalakeException;
import io.datalake.DatalakeNonTransientException;
import io.datalake.dataset.DatasetProgress;
import io.datalake.dataset.Row;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Calls a {@link DatasetProgress} one call at a time, and remembers a callback that threw. Audit checks turn any
 * error into a failed result, so the failure is kept here and the operation checks it before recording anything:
 * a throwing callback fails the operation instead of being swallowed into a report.
 */
final class ProgressGuard {
    private final DatasetProgress callback;
    private final String operation;
    private volatile @Nullable DatalakeException failure;

    /**
     * @param callback the caller's callback
     * @param operation what is under way, for the error message, e.g. "the audit of draft 665f..."
     */
    ProgressGuard(DatasetProgress callback, String operation) {
        this.callback = callback;
        this.operation = operation;
    }

    synchronized void rows(long done) {
        call(() -> callback.rows(done));
    }

    synchronized void check(String name, int number, int count) {
        call(() -> callback.check(name, number, count));
    }

    private void call(Runnable call) {
        DatalakeException failed = failure;
        if (failed != null) {
            throw failed;
        }
        try {
            call.run();
        } catch (RuntimeException e) {
            failed = new DatalakeNonTransientException("the progress callback of " + operation + " threw " + e, e);
            failure = failed;
            throw failed;
        }
    }

    /**
     * Reports the rows of a stream as they pass: every {@link MongoDatasets#CHUNK_ROWS} rows, and the total at the
     * end. Counts per subscription, so a check that reads the rows twice reports each pass.
     */
    Flux<Row> counted(Flux<Row> rows) {
        return Flux.defer(() -> {
            long[] seen = {0};
            return rows.doOnNext(r -> {
                if (++seen[0] % MongoDatasets.CHUNK_ROWS == 0) {
                    rows(seen[0]);
                }
            }).doOnComplete(() -> {
                if (seen[0] % MongoDatasets.CHUNK_ROWS != 0) {
                    rows(seen[0]);
                }
            });
        });
    }

    /** The value, or the callback's failure if it threw at any point. */
    <T> Mono<T> unlessFailed(T value) {
        DatalakeException failed = failure;
        return failed == null ? Mono.just(value) : Mono.error(failed);
    }
}
