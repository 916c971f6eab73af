package io.datalake.dataset;

/** The lifecycle state of a dataset version. */
public enum VersionState {
    /** Being written or awaiting audit and publication; invisible to readers of {@code latest} and tags. */
    DRAFT,
    /** Published: immutable, numbered, reachable through {@code latest}, its number and tags. */
    PUBLISHED,
    /** A draft given up by {@link Datasets#discard}; its rows are deleted and it can never be published. */
    DISCARDED
}
