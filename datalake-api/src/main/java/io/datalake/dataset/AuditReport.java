package io.datalake.dataset;

import java.time.Instant;
import java.util.List;

/**
 * The report of one audit of a draft. A draft can be published only while its latest report passed and its
 * {@code contentHash} equals the draft's content hash.
 *
 * @param contentHash the content hash of the rows the audit saw
 * @param checks one result per check, built-in checks first
 * @param startedAt when the audit started
 * @param finishedAt when it finished
 * @param actor who ran it
 */
public record AuditReport(String contentHash, List<CheckResult> checks, Instant startedAt, Instant finishedAt,
        String actor) {
    /** Copies the checks. */
    public AuditReport {
        checks = List.copyOf(checks);
    }

    /**
     * Tells whether every check passed.
     *
     * @return true if no check failed
     */
    public boolean passed() {
        return checks.stream().allMatch(CheckResult::passed);
    }
}
