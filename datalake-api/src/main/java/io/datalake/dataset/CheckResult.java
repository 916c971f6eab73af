package io.datalake.dataset;

import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The outcome of one audit check.
 *
 * @param name the check's name
 * @param passed whether it passed
 * @param rowsChecked how many rows it looked at
 * @param failures how many rows failed it (0 for a check over the whole version)
 * @param exampleRows up to {@link AuditOptions#maxExamples()} failing row numbers, ascending
 * @param message a human-readable explanation of a failure (for a check that threw: its exception); null when
 *     passed
 */
public record CheckResult(String name, boolean passed, long rowsChecked, long failures, List<Long> exampleRows,
        @Nullable String message) {
    /** Copies the example rows. */
    public CheckResult {
        exampleRows = List.copyOf(exampleRows);
    }
}
