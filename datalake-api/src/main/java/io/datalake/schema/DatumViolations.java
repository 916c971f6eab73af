package io.datalake.schema;

import java.util.List;
import org.bson.types.ObjectId;
import org.jspecify.annotations.Nullable;

/**
 * The violations of one datum against the schema of its kind.
 *
 * @param datumId the datum's id (for a new datum, the id it would have been stored under)
 * @param index the datum's position in the call that added it ({@code 0} for {@code addDatum}, its position in
 *     the input of {@code addData}); null for a stored datum found by {@link Schemas#check(String)}
 * @param kind its kind
 * @param schemaVersion the version of the schema it was validated against
 * @param violations what is wrong, at least one
 */
public record DatumViolations(ObjectId datumId, @Nullable Long index, String kind, int schemaVersion,
        List<SchemaViolation> violations) {
    /** Copies the list. */
    public DatumViolations {
        violations = List.copyOf(violations);
    }

    /**
     * Describes the datum, the schema and every violation in one line.
     *
     * @return e.g. {@code datum 2 (id 65f...) of kind 'image' violates schema version 3: /data/label: required: ...}
     */
    @Override
    public String toString() {
        StringBuilder s = new StringBuilder("datum ");
        if (index != null) {
            s.append(index).append(" (id ").append(datumId.toHexString()).append(')');
        } else {
            s.append(datumId.toHexString());
        }
        s.append(" of kind '").append(kind).append("' violates schema version ").append(schemaVersion).append(": ");
        for (int i = 0; i < violations.size(); i++) {
            s.append(i == 0 ? "" : "; ").append(violations.get(i));
        }
        return s.toString();
    }
}
