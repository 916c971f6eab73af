package io.datalake.delete;

import io.datalake.InvalidArgumentException;

/**
 * Options of {@link io.datalake.Datalake#delete}: whether the subtree goes too, whether anything is written, how
 * large a subtree may be, and who hears of the progress. Immutable; build with {@link #builder()} or take
 * {@link #defaults()}.
 */
public final class DeleteOptions {
    /**
     * Default largest subtree a cascade deletes: 100,000 datums. The ids of the subtree are held in memory (about
     * 200 bytes each in the walk, the plan and its checks, so about 20 MB here) because the deepest level must be
     * known before anything is deleted.
     */
    public static final int DEFAULT_MAX_NODES = 100_000;
    /** The largest {@link #maxNodes()} accepted: 10,000,000 datums, about 2 GB of heap for the ids. */
    public static final int MAX_MAX_NODES = 10_000_000;

    private static final DeleteOptions DEFAULTS = builder().build();

    private final boolean cascade;
    private final boolean dryRun;
    private final int maxNodes;
    private final DeleteProgress progress;

    private DeleteOptions(Builder b) {
        this.cascade = b.cascade;
        this.dryRun = b.dryRun;
        this.maxNodes = b.maxNodes;
        this.progress = b.progress;
    }

    /**
     * The defaults: no cascade, not a dry run, {@value #DEFAULT_MAX_NODES} nodes, no progress.
     *
     * @return the default options
     */
    public static DeleteOptions defaults() {
        return DEFAULTS;
    }

    /**
     * Options that delete the datum and its whole subtree.
     *
     * @return cascading options, otherwise the defaults
     */
    public static DeleteOptions cascading() {
        return builder().cascade(true).build();
    }

    /**
     * Returns a builder starting from the defaults.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Returns a builder starting from these options.
     *
     * @return a new builder with these values
     */
    public Builder toBuilder() {
        return new Builder().cascade(cascade).dryRun(dryRun).maxNodes(maxNodes).progress(progress);
    }

    /**
     * Tells whether the datum's descendants are deleted with it; without cascade a datum with children is refused.
     *
     * @return whether the subtree goes too
     */
    public boolean cascade() {
        return cascade;
    }

    /**
     * Tells whether this is a dry run: the plan is computed with every check and nothing is written.
     *
     * @return whether nothing is deleted
     */
    public boolean dryRun() {
        return dryRun;
    }

    /**
     * Returns the largest subtree (the datum included) a cascade deletes; a larger one is refused with
     * {@link SubtreeTooLargeException} before anything is written.
     *
     * @return the node limit
     */
    public int maxNodes() {
        return maxNodes;
    }

    /**
     * Returns who hears of the progress of the deletion.
     *
     * @return the progress listener, {@link DeleteProgress#NONE} by default
     */
    public DeleteProgress progress() {
        return progress;
    }

    @Override
    public String toString() {
        return "DeleteOptions{cascade=" + cascade + ", dryRun=" + dryRun + ", maxNodes=" + maxNodes + "}";
    }

    /** Builds {@link DeleteOptions}. Not thread-safe. */
    public static final class Builder {
        private boolean cascade;
        private boolean dryRun;
        private int maxNodes = DEFAULT_MAX_NODES;
        private DeleteProgress progress = DeleteProgress.NONE;

        private Builder() {
        }

        /**
         * Sets whether the subtree is deleted too.
         *
         * @param cascade true to delete the datum's descendants with it
         * @return this builder
         */
        public Builder cascade(boolean cascade) {
            this.cascade = cascade;
            return this;
        }

        /**
         * Sets whether this is a dry run.
         *
         * @param dryRun true to compute the plan and write nothing
         * @return this builder
         */
        public Builder dryRun(boolean dryRun) {
            this.dryRun = dryRun;
            return this;
        }

        /**
         * Sets the largest subtree a cascade deletes.
         *
         * @param maxNodes 1 to {@value #MAX_MAX_NODES}
         * @return this builder
         * @throws InvalidArgumentException if {@code maxNodes} is out of range
         */
        public Builder maxNodes(int maxNodes) {
            if (maxNodes < 1 || maxNodes > MAX_MAX_NODES) {
                throw new InvalidArgumentException("DeleteOptions.maxNodes must be 1 to " + MAX_MAX_NODES + ", was "
                        + maxNodes);
            }
            this.maxNodes = maxNodes;
            return this;
        }

        /**
         * Sets who hears of the progress.
         *
         * @param progress the listener
         * @return this builder
         * @throws InvalidArgumentException if {@code progress} is null
         */
        public Builder progress(DeleteProgress progress) {
            if (progress == null) {
                throw new InvalidArgumentException("DeleteOptions.progress must not be null (use DeleteProgress.NONE)");
            }
            this.progress = progress;
            return this;
        }

        /**
         * Builds the options.
         *
         * @return the immutable options
         */
        public DeleteOptions build() {
            return new DeleteOptions(this);
        }
    }
}
