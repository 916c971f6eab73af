package io.datalake.schema;

import java.time.Instant;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * One registered version of the JSON Schema of a kind. Immutable: a version, once stored, is never rewritten;
 * registering again makes a new version.
 *
 * @param kind the kind it constrains (the value the kind selector reads, e.g. {@code "image"})
 * @param version its version: 1 for the first schema of the kind, then 2, 3, ...
 * @param json the JSON Schema text (draft 2020-12), exactly as registered
 * @param createdAt when it was registered
 * @param actor who registered it (the lake's {@link io.datalake.DatalakeSettings#actor()} setting)
 */
public record Schema(String kind, int version, String json, Instant createdAt, String actor) {
    /** Longest kind accepted, in characters. */
    public static final int MAX_KIND_LENGTH = 256;

    private static final Pattern CONTROL = Pattern.compile("\\p{Cntrl}");

    /**
     * Checks the fields.
     *
     * @throws IllegalArgumentException if the kind is not valid or the version is below 1
     */
    public Schema {
        if (kindProblem(kind) != null || version < 1 || json == null || createdAt == null || actor == null) {
            throw new IllegalArgumentException("invalid schema " + kind + "@" + version);
        }
    }

    /**
     * Tells what is wrong with a kind name: kinds are 1 to {@value #MAX_KIND_LENGTH} characters without control
     * characters, not blank.
     *
     * @param kind a kind
     * @return why it is not valid, or null when it is
     */
    public static @Nullable String kindProblem(@Nullable String kind) {
        if (kind == null || kind.isBlank()) {
            return "a kind must be a non-blank string";
        }
        if (kind.length() > MAX_KIND_LENGTH) {
            return "a kind has at most " + MAX_KIND_LENGTH + " characters, got " + kind.length();
        }
        if (CONTROL.matcher(kind).find()) {
            return "a kind must not contain control characters";
        }
        return null;
    }

    /**
     * Returns {@code KIND@VERSION}, the reference the command line accepts.
     *
     * @return the reference
     */
    public String ref() {
        return kind + "@" + version;
    }
}
