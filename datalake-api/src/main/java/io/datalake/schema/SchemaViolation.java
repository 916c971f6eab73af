package io.datalake.schema;

/**
 * One rule of a schema that a datum breaks.
 *
 * @param pointer the JSON pointer (RFC 6901) of the offending value in the datum's document view
 *     {@code {"data": ..., "metadata": ...}}, e.g. {@code /data/label}; for {@code required} (and
 *     {@code dependentRequired}) it points at the missing property itself, so it names what to add
 * @param keyword the JSON Schema keyword of the rule: {@code required}, {@code enum}, {@code type},
 *     {@code minimum}, {@code pattern}, ...
 * @param message a readable description (English)
 */
public record SchemaViolation(String pointer, String keyword, String message) {
    @Override
    public String toString() {
        return (pointer.isEmpty() ? "(document)" : pointer) + ": " + keyword + ": " + message;
    }
}
