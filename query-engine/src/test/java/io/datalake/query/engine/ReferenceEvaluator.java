package io.datalake.query.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.datalake.query.Query;
import io.datalake.query.QueryLevel;
import io.datalake.query.Strategy;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.bson.types.ObjectId;
import org.jspecify.annotations.Nullable;

/**
 * The query semantics written naively over an in-memory list of datums, for differential tests. Which datums a
 * level's filter matches is asked of MongoDB's own {@code find} (that is what "a filter means what it means in
 * find" says); everything else — base order, picking per row among the children of the datum already picked,
 * dropping, {@code missing}, {@code datumsWanted} — is plain Java from the semantics.
 */
final class ReferenceEvaluator {
    /** Latest/earliest order: by added_at, ties by _id. */
    static final Comparator<TestLake.Datum> OLDEST_FIRST =
            Comparator.comparingLong(TestLake.Datum::addedAt).thenComparing(TestLake.Datum::id);

    private final Query query;
    private final List<QueryLevel> levels;
    private final List<Set<ObjectId>> matches = new ArrayList<>();
    private final Map<ObjectId, List<TestLake.Datum>> children = new HashMap<>();
    private final List<TestLake.Datum> datums;

    ReferenceEvaluator(TestLake lake, Query query) {
        this.query = query;
        this.levels = query.levels();
        this.datums = lake.datums();
        for (QueryLevel level : levels) {
            matches.add(lake.matching(level.filter()));
        }
        for (TestLake.Datum d : datums) {
            if (d.parent() != null) {
                children.computeIfAbsent(d.parent(), p -> new ArrayList<>()).add(d);
            }
        }
    }

    /** The base datums in base order; random and quickest have no fixed order, so they come in _id order. */
    List<TestLake.Datum> base() {
        List<TestLake.Datum> base = datums.stream().filter(d -> matches.get(0).contains(d.id()))
                .collect(Collectors.toList());
        Strategy order = levels.get(0).strategy();
        if (order == Strategy.LATEST) {
            base.sort(OLDEST_FIRST.reversed());
        } else if (order == Strategy.EARLIEST) {
            base.sort(OLDEST_FIRST);
        } else {
            base.sort(Comparator.comparing(TestLake.Datum::id));
        }
        return base;
    }

    /** Every complete row the semantics allow for one base datum, and whether it may be dropped instead. */
    static final class Outcome {
        final Set<Map<String, ObjectId>> rows = new HashSet<>();
        boolean canDrop;
    }

    Outcome outcomes(TestLake.Datum base) {
        Outcome outcome = new Outcome();
        ObjectId[] ids = new ObjectId[levels.size()];
        ids[0] = base.id();
        explore(1, ids, outcome);
        return outcome;
    }

    private void explore(int level, ObjectId[] ids, Outcome outcome) {
        if (level == levels.size()) {
            outcome.rows.add(toRow(ids));
            return;
        }
        QueryLevel q = levels.get(level);
        ObjectId parent = ids[query.levelOf(q.derivedFrom())];
        List<TestLake.Datum> candidates = candidates(level, parent);
        if (q.strategy() == Strategy.MISSING) {
            if (candidates.isEmpty()) {
                explore(level + 1, ids, outcome);
            } else {
                outcome.canDrop = true;
            }
            return;
        }
        if (candidates.isEmpty()) {
            outcome.canDrop = true;
            return;
        }
        List<TestLake.Datum> choices;
        switch (q.strategy()) {
            case LATEST:
                choices = List.of(candidates.stream().max(OLDEST_FIRST).orElseThrow());
                break;
            case EARLIEST:
                choices = List.of(candidates.stream().min(OLDEST_FIRST).orElseThrow());
                break;
            default:
                choices = candidates;
        }
        for (TestLake.Datum choice : choices) {
            ObjectId[] next = ids.clone();
            next[level] = choice.id();
            explore(level + 1, next, outcome);
        }
    }

    /** The children of {@code parent} that match the level's filter. */
    List<TestLake.Datum> candidates(int level, ObjectId parent) {
        return children.getOrDefault(parent, List.of()).stream()
                .filter(c -> matches.get(level).contains(c.id()))
                .collect(Collectors.toList());
    }

    private Map<String, ObjectId> toRow(ObjectId[] ids) {
        Map<String, ObjectId> row = new LinkedHashMap<>();
        for (QueryLevel level : levels) {
            if (level.isOutput()) {
                row.put(level.column(), ids[level.index()]);
            }
        }
        return row;
    }

    /** Whether every pick is determined: latest/earliest base order and no random or quickest level. */
    boolean deterministic() {
        return levels.stream().allMatch(l -> l.strategy() == Strategy.LATEST || l.strategy() == Strategy.EARLIEST
                || l.strategy() == Strategy.MISSING);
    }

    /** The exact rows of a deterministic query. */
    List<Map<String, ObjectId>> expected(@Nullable Integer wanted) {
        List<Map<String, ObjectId>> rows = new ArrayList<>();
        for (TestLake.Datum base : base()) {
            if (wanted != null && rows.size() == wanted) {
                break;
            }
            Outcome outcome = outcomes(base);
            assertThat(outcome.rows.size() + (outcome.canDrop ? 1 : 0)).isEqualTo(1);
            rows.addAll(outcome.rows);
        }
        return rows;
    }

    /** Asserts that {@code rows} is a result the semantics allow, exactly when they determine the result. */
    void check(List<Map<String, ObjectId>> rows, @Nullable Integer wanted, String context) {
        if (deterministic()) {
            assertThat(rows).as(context).containsExactlyElementsOf(expected(wanted));
            return;
        }
        String base = levels.get(0).column();
        List<TestLake.Datum> order = base();
        Map<ObjectId, Integer> position = new HashMap<>();
        for (int i = 0; i < order.size(); i++) {
            position.put(order.get(i).id(), i);
        }
        Set<ObjectId> emitted = new HashSet<>();
        int lastPosition = -1;
        for (Map<String, ObjectId> row : rows) {
            assertThat(row.keySet()).as(context).containsExactlyElementsOf(query.outputColumns());
            ObjectId baseId = row.get(base);
            Integer at = position.get(baseId);
            assertThat(at).as(context + ": row %s has a base datum that does not match", row).isNotNull();
            assertThat(emitted.add(baseId)).as(context + ": base datum repeated in %s", row).isTrue();
            assertThat(outcomes(order.get(at)).rows).as(context + ": row %s is not a possible pick", row)
                    .contains(row);
            Strategy baseOrder = levels.get(0).strategy();
            if (baseOrder == Strategy.LATEST || baseOrder == Strategy.EARLIEST) {
                assertThat(at).as(context + ": row %s is out of base order", row).isGreaterThan(lastPosition);
            }
            lastPosition = Math.max(lastPosition, at);
        }
        if (wanted != null) {
            assertThat(rows.size()).as(context).isLessThanOrEqualTo(wanted);
        }
        boolean exhausted = wanted == null || rows.size() < wanted;
        for (int i = 0; i < order.size(); i++) {
            TestLake.Datum d = order.get(i);
            boolean skippedBeforeLast = i < lastPosition && levels.get(0).strategy() != Strategy.RANDOM
                    && levels.get(0).strategy() != Strategy.QUICKEST;
            if (!emitted.contains(d.id()) && (exhausted || skippedBeforeLast)) {
                assertThat(outcomes(d).canDrop).as(context + ": base datum %s was skipped but has a complete row",
                        d.name()).isTrue();
            }
        }
    }
}
