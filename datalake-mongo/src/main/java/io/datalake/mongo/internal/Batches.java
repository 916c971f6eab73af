package io.datalake.mongo.internal;

import java.util.ArrayList;
import java.util.List;

/** Splits id lists into the batches one {@code $in} query or one insert takes. */
final class Batches {
    private Batches() {
    }

    /**
     * Splits a list into consecutive views of at most {@code size} items.
     *
     * @param items the items
     * @param size the largest batch, at least 1
     * @return the batches in order; empty for an empty list
     */
    static <T> List<List<T>> partition(List<T> items, int size) {
        List<List<T>> batches = new ArrayList<>((items.size() + size - 1) / size);
        for (int from = 0; from < items.size(); from += size) {
            batches.add(items.subList(from, Math.min(items.size(), from + size)));
        }
        return batches;
    }
}
