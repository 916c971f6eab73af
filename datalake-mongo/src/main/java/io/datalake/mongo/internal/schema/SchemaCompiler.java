package io.datalake.mongo.internal.schema;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.PathType;
import com.networknt.schema.SchemaId;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaValidatorsConfig;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import com.networknt.schema.regex.RegularExpression;
import com.networknt.schema.resource.AllowSchemaLoader;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import org.jspecify.annotations.Nullable;

/**
 * Turns schema text into a validator with networknt json-schema-validator, draft 2020-12, safely for text another
 * client stored: nothing is ever loaded from outside the schema except the draft 2020-12 meta-schemas bundled in
 * the library's jar (every other {@code $ref} or {@code $schema} target, {@code http:}, {@code file:} or
 * {@code classpath:}, is refused by the loader), {@code $schema} must be draft 2020-12, and every
 * {@code pattern} match runs under a time limit, so a catastrophic pattern cannot hang a write.
 */
final class SchemaCompiler {
    /** Longest a {@code pattern} may take on one value before the value counts as violating it. */
    static final Duration PATTERN_TIME_LIMIT = Duration.ofMillis(100);
    /** Largest schema text accepted, in characters. */
    static final int MAX_SCHEMA_CHARS = 1024 * 1024;

    private static final String ALLOWED_PREFIX = "classpath:draft/2020-12/";
    private static final String META_SCHEMA = SchemaId.V202012;
    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

    static {
        JSON.getFactory().setStreamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(200).build());
    }

    /** The meta-schema validator, compiled once; a validator is thread-safe once its validators are initialized. */
    private static final JsonSchema META = metaSchema();

    private SchemaCompiler() {
    }

    /** Why a schema text cannot be used; the callers turn it into their typed exception. */
    static final class Problem extends Exception {
        private static final long serialVersionUID = 1L;

        Problem(String message, @Nullable Throwable cause) {
            super(message, cause);
        }

        String reason() {
            return String.valueOf(getMessage());
        }
    }

    /**
     * Parses, checks against the draft 2020-12 meta-schema and compiles a schema, resolving every {@code $ref}.
     *
     * @param text the schema text
     * @return the validator, all of its sub-validators built
     * @throws Problem naming what is wrong
     */
    static JsonSchema compile(String text) throws Problem {
        if (text.length() > MAX_SCHEMA_CHARS) {
            throw new Problem("the schema has " + text.length() + " characters; at most " + MAX_SCHEMA_CHARS
                    + " are accepted", null);
        }
        JsonNode node;
        try {
            node = JSON.readTree(text);
        } catch (JsonProcessingException e) {
            throw new Problem("not JSON: " + e.getOriginalMessage(), e);
        }
        if (node == null || !(node.isObject() || node.isBoolean())) {
            throw new Problem("a JSON Schema is an object or a boolean, got "
                    + (node == null ? "nothing" : node.getNodeType().name().toLowerCase(Locale.ROOT)), null);
        }
        JsonNode dialect = node.get("$schema");
        if (dialect != null && !(dialect.isTextual() && isDraft202012(dialect.asText()))) {
            throw new Problem("$schema must be " + META_SCHEMA + " (draft 2020-12) or absent, got " + dialect, null);
        }
        Set<ValidationMessage> metaErrors;
        try {
            metaErrors = META.validate(node);
        } catch (RuntimeException | StackOverflowError e) {
            throw new Problem("it cannot be checked against the draft 2020-12 meta-schema: " + e, null);
        }
        if (!metaErrors.isEmpty()) {
            List<String> found = new ArrayList<>(new TreeSet<>(messagesByText(metaErrors)));
            throw new Problem("not valid against the draft 2020-12 meta-schema: " + String.join("; ",
                    found.subList(0, Math.min(5, found.size()))), null);
        }
        try {
            JsonSchema schema = factory().getSchema(SchemaLocation.of("urn:datalake:schema"), node, config());
            // Builds every validator now, which resolves every $ref: an unresolvable or remote one fails here,
            // before the schema is stored or used.
            schema.initializeValidators();
            return schema;
        } catch (RuntimeException | StackOverflowError e) {
            throw new Problem(describe(e), null);
        }
    }

    private static List<String> messagesByText(Set<ValidationMessage> messages) {
        List<String> texts = new ArrayList<>();
        for (ValidationMessage m : messages) {
            texts.add(m.getMessage());
        }
        return texts;
    }

    private static String describe(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t && t.getMessage() == null) {
            t = t.getCause();
        }
        String message = t.getMessage();
        if (message != null && message.contains("is not allowed to be loaded")) {
            return "it refers to a schema outside itself (" + message + "); only references within the schema"
                    + " ($defs, anchors, JSON pointers) are allowed and nothing is fetched";
        }
        return t.getClass().getSimpleName() + ": " + message;
    }

    private static boolean isDraft202012(String uri) {
        String u = uri.endsWith("#") ? uri.substring(0, uri.length() - 1) : uri;
        return u.equals(META_SCHEMA) || u.equals("http://json-schema.org/draft/2020-12/schema");
    }

    /**
     * A new factory per schema: the factory caches schemas by {@code $id}, and one stored schema must not be able
     * to answer another's {@code $ref}.
     */
    private static JsonSchemaFactory factory() {
        return JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012, builder -> builder
                .schemaLoaders(loaders -> loaders.add(new AllowSchemaLoader(
                        iri -> iri != null && iri.toString().startsWith(ALLOWED_PREFIX)))));
    }

    private static SchemaValidatorsConfig config() {
        return SchemaValidatorsConfig.builder()
                .pathType(PathType.JSON_POINTER)
                .locale(Locale.ENGLISH)
                .formatAssertionsEnabled(true)
                .regularExpressionFactory(SchemaCompiler::timeLimited)
                .build();
    }

    private static JsonSchema metaSchema() {
        JsonSchema meta = factory().getSchema(SchemaLocation.of(META_SCHEMA), config());
        meta.initializeValidators();
        return meta;
    }

    /** Thrown out of a {@code pattern} match that ran past {@link #PATTERN_TIME_LIMIT}. */
    static final class PatternTimeout extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private final String pattern;

        PatternTimeout(String pattern) {
            super("pattern " + pattern + " ran longer than " + PATTERN_TIME_LIMIT.toMillis() + " ms", null, false,
                    false);
            this.pattern = pattern;
        }

        String pattern() {
            return pattern;
        }
    }

    /** JDK regular expressions (the library's default engine) whose matching stops at a deadline. */
    private static RegularExpression timeLimited(String regex) {
        Pattern pattern;
        try {
            pattern = Pattern.compile(regex);
        } catch (PatternSyntaxException e) {
            throw new IllegalArgumentException("invalid pattern " + regex + ": " + e.getDescription(), e);
        }
        return value -> {
            long deadline = System.nanoTime() + PATTERN_TIME_LIMIT.toNanos();
            Matcher m = pattern.matcher(new DeadlineChars(value, deadline, regex));
            return m.find();
        };
    }

    /**
     * A string whose {@code charAt} fails once a deadline passed: the JDK matcher reads the input through it on
     * every step, so backtracking that would run for ever stops.
     */
    private record DeadlineChars(String s, long deadline, String regex) implements CharSequence {
        @Override
        public int length() {
            return s.length();
        }

        @Override
        public char charAt(int index) {
            if (System.nanoTime() > deadline) {
                throw new PatternTimeout(regex);
            }
            return s.charAt(index);
        }

        @Override
        public CharSequence subSequence(int start, int end) {
            return new DeadlineChars(s.substring(start, end), deadline, regex);
        }

        @Override
        public String toString() {
            return s;
        }
    }
}
