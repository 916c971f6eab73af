package io.datalake.lineage;

/** Which way a lineage walk goes from its starting datum. */
public enum LineageDirection {
    /** Towards the root: the datum's parent, its parent's parent, and so on. */
    UP,
    /** Away from the root: the datums derived from the datum, directly or not. */
    DOWN,
    /** Both: the ancestors and the descendants (not siblings or cousins). */
    BOTH;

    /**
     * Tells whether a walk in this direction visits ancestors.
     *
     * @return true for {@link #UP} and {@link #BOTH}
     */
    public boolean includesAncestors() {
        return this != DOWN;
    }

    /**
     * Tells whether a walk in this direction visits descendants.
     *
     * @return true for {@link #DOWN} and {@link #BOTH}
     */
    public boolean includesDescendants() {
        return this != UP;
    }
}
