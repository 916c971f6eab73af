package io.datalake.query.engine.internal;

import io.datalake.query.Strategy;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.bson.types.ObjectId;
import org.jspecify.annotations.Nullable;

/**
 * The matching children of a level grouped by parent, keeping only what the level's strategy needs to pick: the
 * best child for latest/earliest, the first for quickest, all of them for random, and mere presence for missing.
 * Not thread-safe; one execution fills and reads it sequentially.
 */
abstract class ChildIndex {

    static ChildIndex forStrategy(Strategy strategy) {
        return switch (strategy) {
            case LATEST -> new Best(true);
            case EARLIEST -> new Best(false);
            case QUICKEST -> new First();
            case RANDOM -> new All();
            case MISSING -> new Presence();
        };
    }

    /** Records a matching child. */
    abstract void add(ObjectId parent, ObjectId child, long addedAt);

    /** Returns whether the parent has at least one matching child. */
    abstract boolean has(ObjectId parent);

    /** Picks one of the parent's matching children, or null if it has none. */
    abstract @Nullable ObjectId pick(ObjectId parent, Random random);

    /** Orders candidates by {@code added_at}, then {@code _id}: the order latest/earliest use. */
    static int compare(long addedAtA, ObjectId idA, long addedAtB, ObjectId idB) {
        int byTime = Long.compare(addedAtA, addedAtB);
        return byTime != 0 ? byTime : idA.compareTo(idB);
    }

    private record Candidate(ObjectId id, long addedAt) {
    }

    private static final class Best extends ChildIndex {
        private final Map<ObjectId, Candidate> best = new HashMap<>();
        private final boolean latest;

        Best(boolean latest) {
            this.latest = latest;
        }

        @Override
        void add(ObjectId parent, ObjectId child, long addedAt) {
            Candidate current = best.get(parent);
            if (current == null) {
                best.put(parent, new Candidate(child, addedAt));
                return;
            }
            int order = compare(addedAt, child, current.addedAt, current.id);
            if (latest ? order > 0 : order < 0) {
                best.put(parent, new Candidate(child, addedAt));
            }
        }

        @Override
        boolean has(ObjectId parent) {
            return best.containsKey(parent);
        }

        @Override
        @Nullable ObjectId pick(ObjectId parent, Random random) {
            Candidate c = best.get(parent);
            return c == null ? null : c.id;
        }
    }

    private static final class First extends ChildIndex {
        private final Map<ObjectId, ObjectId> first = new HashMap<>();

        @Override
        void add(ObjectId parent, ObjectId child, long addedAt) {
            first.putIfAbsent(parent, child);
        }

        @Override
        boolean has(ObjectId parent) {
            return first.containsKey(parent);
        }

        @Override
        @Nullable ObjectId pick(ObjectId parent, Random random) {
            return first.get(parent);
        }
    }

    private static final class All extends ChildIndex {
        private final Map<ObjectId, List<ObjectId>> all = new HashMap<>();

        @Override
        void add(ObjectId parent, ObjectId child, long addedAt) {
            all.computeIfAbsent(parent, p -> new ArrayList<>(2)).add(child);
        }

        @Override
        boolean has(ObjectId parent) {
            return all.containsKey(parent);
        }

        @Override
        @Nullable ObjectId pick(ObjectId parent, Random random) {
            List<ObjectId> candidates = all.get(parent);
            if (candidates == null) {
                return null;
            }
            // Sorting makes a seeded pick independent of the order the server returned the children in.
            candidates.sort(Comparator.naturalOrder());
            return candidates.get(random.nextInt(candidates.size()));
        }
    }

    private static final class Presence extends ChildIndex {
        private final Set<ObjectId> parents = new HashSet<>();

        @Override
        void add(ObjectId parent, ObjectId child, long addedAt) {
            parents.add(parent);
        }

        @Override
        boolean has(ObjectId parent) {
            return parents.contains(parent);
        }

        @Override
        @Nullable ObjectId pick(ObjectId parent, Random random) {
            throw new IllegalStateException("a missing level picks nothing");
        }
    }
}
