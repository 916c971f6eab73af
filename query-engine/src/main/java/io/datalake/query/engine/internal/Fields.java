package io.datalake.query.engine.internal;

/** Stored field names of a datum document (the Mindtrace Python datalake layout) that the engine reads. */
public final class Fields {
    /** The datum id. */
    public static final String ID = "_id";
    /** The parent's id. */
    public static final String DERIVED_FROM = "derived_from";
    /** When the datum was added, a BSON date. */
    public static final String ADDED_AT = "added_at";

    private Fields() {
    }
}
