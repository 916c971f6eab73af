package io.datalake.query.engine;

/**
 * The stored field names of a datum document, in the Mindtrace Python datalake layout that Java and Python clients
 * share. The one source of truth: the entity mapping of {@code datalake-mongo} and every query of the engine use
 * these constants.
 */
public final class DatumFields {
    /** The datum id, an ObjectId. */
    public static final String ID = "_id";
    /** Inline data. */
    public static final String DATA = "data";
    /** The URI of the registry holding the payload, or null for inline data. */
    public static final String REGISTRY_URI = "registry_uri";
    /** The payload's key in its registry. */
    public static final String REGISTRY_KEY = "registry_key";
    /** The parent's id, an ObjectId, or null for a root. */
    public static final String DERIVED_FROM = "derived_from";
    /** Free-form metadata. */
    public static final String METADATA = "metadata";
    /** When the datum was added, a BSON date. */
    public static final String ADDED_AT = "added_at";
    /** The sub-document describing a registry payload (content type, size, SHA-256); absent on inline datums. */
    public static final String PAYLOAD = "payload";

    private DatumFields() {
    }
}
