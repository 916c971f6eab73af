package io.datalake.mongo.internal.schema;

import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.ValidationMessage;
import io.datalake.schema.Schema;
import io.datalake.schema.SchemaViolation;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;

/**
 * One stored schema version with its validator.
 *
 * @param schema the stored version
 * @param validator its compiled form (thread-safe)
 */
record Compiled(Schema schema, JsonSchema validator) {
    private static final Comparator<SchemaViolation> ORDER =
            Comparator.comparing(SchemaViolation::pointer).thenComparing(SchemaViolation::keyword)
                    .thenComparing(SchemaViolation::message);

    /**
     * Validates a document view.
     *
     * @param view the datum's view
     * @return the violations, ordered by pointer and keyword; empty when valid
     */
    List<SchemaViolation> validate(JsonNode view) {
        Set<ValidationMessage> messages;
        try {
            messages = validator.validate(view);
        } catch (SchemaCompiler.PatternTimeout e) {
            return List.of(new SchemaViolation("", "pattern", "the schema's pattern " + e.pattern()
                    + " ran longer than " + SchemaCompiler.PATTERN_TIME_LIMIT.toMillis()
                    + " ms on a value of this datum; a value that cannot be checked in time counts as a violation"));
        }
        List<SchemaViolation> violations = new ArrayList<>(messages.size());
        for (ValidationMessage m : messages) {
            String pointer = m.getInstanceLocation().toString();
            String keyword = String.valueOf(m.getType());
            String property = m.getProperty();
            if (property != null && (keyword.equals("required") || keyword.equals("dependentRequired"))) {
                // Point at the missing property itself: it names what to add.
                pointer = pointer + "/" + property.replace("~", "~0").replace("/", "~1");
            }
            String message = m.getMessage();
            String prefix = m.getInstanceLocation() + ": ";
            if (message.startsWith(prefix)) {
                message = message.substring(prefix.length());
            }
            violations.add(new SchemaViolation(pointer, keyword, message));
        }
        violations.sort(ORDER);
        return violations;
    }
}
