package io.datalake.fsck;

import io.datalake.InvalidArgumentException;
import org.bson.types.ObjectId;
import org.jspecify.annotations.Nullable;

/**
 * One problem {@code fsck} found. Which fields are set depends on the {@link Kind}; {@link #detail()} always says
 * what is wrong in words.
 *
 * @param kind what kind of problem
 * @param datumId the datum at fault: the datum whose payload, parent, document or schema is wrong; for
 *     {@link Kind#DATASET_MISSING_DATUM} the missing datum a row names. Null for a stored document whose
 *     {@code _id} is not an ObjectId (the detail renders its {@code _id}) and for {@link Kind#UNREADABLE_DATASET}
 * @param registryUri the datum's stored {@code registry_uri} (secrets redacted), for payload problems
 * @param registryKey the datum's stored {@code registry_key}, for payload problems
 * @param parentId the missing parent, for {@link Kind#MISSING_PARENT}
 * @param version the dataset version, {@code NAME@N} for a published version or {@code NAME draft <id>} for a
 *     draft, for dataset problems
 * @param versionId the {@code _id} of the version document, for dataset problems
 * @param row the row number in the version (from 0), or -1 when the finding is not about one row
 * @param column the row's column that names the missing datum, for {@link Kind#DATASET_MISSING_DATUM}
 * @param detail what is wrong, in one line
 */
public record FsckFinding(Kind kind, @Nullable ObjectId datumId, @Nullable String registryUri,
        @Nullable String registryKey, @Nullable ObjectId parentId, @Nullable String version,
        @Nullable ObjectId versionId, long row, @Nullable String column, String detail) {

    /** What kind of problem a finding is. */
    public enum Kind {
        /** The registry has no object under the datum's key. */
        MISSING_PAYLOAD,
        /** The object's size differs from the size the datum records. */
        SIZE_MISMATCH,
        /**
         * The object's bytes do not hash to the SHA-256 the datum records (with {@code verify}; without it, only
         * when the store keeps a SHA-256 of its own that differs).
         */
        HASH_MISMATCH,
        /** The registry failed to answer for the object (an I/O error, a refused key, no answer in time). */
        UNREADABLE_PAYLOAD,
        /**
         * The datum's stored {@code registry_uri} is not one of the lake's allowed registries: reported, never
         * opened.
         */
        REGISTRY_NOT_ALLOWED,
        /** The datum's {@code derived_from} names no stored document. */
        MISSING_PARENT,
        /** A stored document is not a datum this library can read (what {@code getDatum} would refuse). */
        UNREADABLE_DATUM,
        /** The datum violates the latest schema of its kind. */
        SCHEMA_VIOLATION,
        /** A row of a draft or published dataset version names a datum that does not exist. */
        DATASET_MISSING_DATUM,
        /** A draft or published dataset version cannot be read: a damaged version or chunk document. */
        UNREADABLE_DATASET
    }

    /**
     * Checks the fields.
     *
     * @throws InvalidArgumentException if the kind or detail is null or the row is below -1
     */
    public FsckFinding {
        if (kind == null || detail == null) {
            throw new InvalidArgumentException("a finding needs a kind and a detail");
        }
        if (row < -1) {
            throw new InvalidArgumentException("row must be >= -1, was " + row);
        }
    }

    /**
     * Describes the finding in one line.
     *
     * @return e.g. {@code MISSING_PAYLOAD datum 65f...: no object under key ab/cd/... in file:///data}
     */
    @Override
    public String toString() {
        StringBuilder s = new StringBuilder(kind.name());
        if (version != null) {
            s.append(' ').append(version);
            if (row >= 0) {
                s.append(" row ").append(row);
                if (column != null) {
                    s.append(" column ").append(column);
                }
            }
        } else if (datumId != null) {
            s.append(" datum ").append(datumId.toHexString());
        }
        return s.append(": ").append(detail).toString();
    }
}
