package io.datalake.processor;

import io.datalake.InvalidArgumentException;
import io.datalake.NewDatum;
import java.util.function.Function;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import org.reactivestreams.Publisher;

/**
 * A declared processor: a name and version, an {@link ProcessorInput} and a function from one input row to the new
 * datums derived from it. The datums the function returns are written as one all-or-nothing batch; the store adds
 * {@code metadata.processor = {name, version, input}} ({@link #OUTPUT_METADATA_KEY}) to each, and the first one
 * gets the id reserved for this input and version, which is what makes a second result impossible. A function may
 * return no datum: the input then counts as done with no output.
 *
 * <p>Bump the version when the function changes meaning (a new model): a new version processes every input again,
 * an unchanged one never processes an input twice.
 *
 * <pre>{@code
 * Processor classifier = Processor.builder("classifier", "v2")
 *         .input(ProcessorInput.missing(Query.fromJson(UNCLASSIFIED_BY_V2)))
 *         .function(row -> model.classify(row.input())
 *                 .map(label -> NewDatum.builder().data(label).derivedFrom(row.inputId()).build()))
 *         .build();
 * }</pre>
 */
public final class Processor {
    /** The metadata key under which every output records its processor and input. */
    public static final String OUTPUT_METADATA_KEY = "processor";
    /** Processor names and versions: letters, digits, {@code . _ -}, 1 to 100 characters, starting alphanumeric. */
    public static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,99}");

    private final String name;
    private final String version;
    private final ProcessorInput input;
    private final Function<ProcessorRow, ? extends Publisher<NewDatum>> function;

    private Processor(Builder b, ProcessorInput input, Function<ProcessorRow, ? extends Publisher<NewDatum>> function) {
        this.name = b.name;
        this.version = b.version;
        this.input = input;
        this.function = function;
    }

    /**
     * Starts a processor declaration.
     *
     * @param name the processor's name, matching {@link #NAME}
     * @param version its version, matching {@link #NAME}
     * @return a builder
     * @throws InvalidArgumentException if the name or version is null or does not match {@link #NAME}
     */
    public static Builder builder(String name, String version) {
        return new Builder(check("name", name), check("version", version));
    }

    private static String check(String what, String value) {
        if (value == null || !NAME.matcher(value).matches()) {
            throw new InvalidArgumentException("processor " + what + " must match " + NAME.pattern() + ", got '"
                    + value + "'");
        }
        return value;
    }

    /**
     * Returns the name.
     *
     * @return the name
     */
    public String name() {
        return name;
    }

    /**
     * Returns the version.
     *
     * @return the version
     */
    public String version() {
        return version;
    }

    /**
     * Returns {@code NAME@VERSION}, the key under which the processor's state is stored.
     *
     * @return the key
     */
    public String key() {
        return name + "@" + version;
    }

    /**
     * Returns the input.
     *
     * @return the input
     */
    public ProcessorInput input() {
        return input;
    }

    /**
     * Returns the function.
     *
     * @return the function from an input row to its outputs
     */
    public Function<ProcessorRow, ? extends Publisher<NewDatum>> function() {
        return function;
    }

    @Override
    public String toString() {
        return "Processor{" + key() + ", input=" + input + "}";
    }

    /** Builds a {@link Processor}. Not thread-safe. */
    public static final class Builder {
        private final String name;
        private final String version;
        private @Nullable ProcessorInput input;
        private @Nullable Function<ProcessorRow, ? extends Publisher<NewDatum>> function;

        private Builder(String name, String version) {
            this.name = name;
            this.version = version;
        }

        /**
         * Sets the input.
         *
         * @param input what the processor works on
         * @return this builder
         * @throws InvalidArgumentException if the input is null
         */
        public Builder input(ProcessorInput input) {
            if (input == null) {
                throw new InvalidArgumentException("processor input must not be null");
            }
            this.input = input;
            return this;
        }

        /**
         * Sets the function. It is called once per attempt; it may be called again for the same input after a
         * failure or a crash (only one attempt's result is ever stored), so it must not have other side effects
         * that matter.
         *
         * <p>The outputs of one input are written with one {@code addData} batch, so there may be at most the
         * lake's {@code batchSize} of them; output #0 gets the id reserved for the input and must not choose one
         * (later outputs may, e.g. to derive from each other); no output may carry metadata under
         * {@link #OUTPUT_METADATA_KEY}. Breaking these rules is a non-transient error.
         *
         * @param function from an input row to the datums derived from it; a transient
         *     {@link io.datalake.DatalakeException} ({@code isTransient()}) is retried with backoff within the
         *     attempt, and fails the attempt when the retries run out (after
         *     {@link ProcessorOptions#maxAttempts()} failed attempts the input becomes a {@link DeadLetter}); any
         *     other error makes the input a dead letter at once
         * @return this builder
         * @throws InvalidArgumentException if the function is null
         */
        public Builder function(Function<ProcessorRow, ? extends Publisher<NewDatum>> function) {
            if (function == null) {
                throw new InvalidArgumentException("processor function must not be null");
            }
            this.function = function;
            return this;
        }

        /**
         * Builds the processor.
         *
         * @return the processor
         * @throws InvalidArgumentException if the input or the function was not set
         */
        public Processor build() {
            ProcessorInput in = input;
            Function<ProcessorRow, ? extends Publisher<NewDatum>> fn = function;
            if (in == null || fn == null) {
                throw new InvalidArgumentException("processor " + name + "@" + version + " needs an input and a"
                        + " function");
            }
            return new Processor(this, in, fn);
        }
    }
}
