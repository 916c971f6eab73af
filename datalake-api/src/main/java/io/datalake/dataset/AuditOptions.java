package io.datalake.dataset;

/**
 * Options of an audit: which optional built-in checks run and how many example rows a failure lists. The checks
 * "datums exist", "no duplicate rows" and "no empty column" always run.
 *
 * @param payloads whether and how the registry payloads of the rows' datums are checked
 * @param payloadSample for {@link PayloadCheck#SAMPLED}, how many rows (chosen by a fixed seed) are checked
 * @param maxExamples how many failing row numbers each check records, at most
 */
public record AuditOptions(PayloadCheck payloads, int payloadSample, int maxExamples) {
    /** Default number of example rows per failed check. */
    public static final int DEFAULT_MAX_EXAMPLES = 10;
    /** Default sample size of a sampled payload check. */
    public static final int DEFAULT_PAYLOAD_SAMPLE = 1000;

    /** How registry payloads are checked. */
    public enum PayloadCheck {
        /** Not checked. */
        NONE,
        /** A sample of rows: every payload of their datums exists with the recorded size and hash. */
        SAMPLED,
        /** Every row, likewise. */
        FULL
    }

    /**
     * Validates the options.
     *
     * @throws io.datalake.InvalidArgumentException if a number is not positive
     */
    public AuditOptions {
        if (payloadSample < 1 || maxExamples < 0) {
            throw new io.datalake.InvalidArgumentException("payloadSample must be >= 1 and maxExamples >= 0, were "
                    + payloadSample + " and " + maxExamples);
        }
    }

    /**
     * The defaults: no payload check, {@value #DEFAULT_MAX_EXAMPLES} examples.
     *
     * @return the default options
     */
    public static AuditOptions defaults() {
        return new AuditOptions(PayloadCheck.NONE, DEFAULT_PAYLOAD_SAMPLE, DEFAULT_MAX_EXAMPLES);
    }
}
