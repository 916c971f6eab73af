package io.datalake.io;

import io.datalake.InvalidArgumentException;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * How the rows of a Hugging Face export are divided into splits ({@code train}, {@code validation}, ...).
 *
 * <p>Three kinds: one split holding every row ({@link #single}, the default: {@code train}); the value of a field
 * of one column's datum ({@link #byField}); or a seeded random split ({@link #random}) that gives each row a split
 * from a hash of the seed and the row's datum ids, so the same rows land in the same splits on every run and a row
 * keeps its split when other rows are added or removed.
 */
public final class Split {
    /** The split of {@link #single()}. */
    public static final String DEFAULT_SPLIT = "train";
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}");
    private static final Pattern FIELD = Pattern.compile("(data|metadata)(\\.[^.$\\s]+)+");

    /** The kinds of split. */
    public enum Kind {
        /** Every row in one split. */
        SINGLE,
        /** The split is a field's value. */
        FIELD,
        /** A seeded random split by fractions. */
        RANDOM
    }

    private final Kind kind;
    private final String single;
    private final @Nullable String column;
    private final @Nullable String field;
    private final Map<String, Double> fractions;
    private final long seed;

    private Split(Kind kind, String single, @Nullable String column, @Nullable String field,
            Map<String, Double> fractions, long seed) {
        this.kind = kind;
        this.single = single;
        this.column = column;
        this.field = field;
        this.fractions = fractions;
        this.seed = seed;
    }

    /**
     * Every row in the split {@value #DEFAULT_SPLIT}.
     *
     * @return the split
     */
    public static Split single() {
        return single(DEFAULT_SPLIT);
    }

    /**
     * Every row in one named split.
     *
     * @param name the split's name (letters, digits, {@code _ . -}; at most 64 characters)
     * @return the split
     * @throws InvalidArgumentException naming the value if the name is not valid
     */
    public static Split single(String name) {
        return new Split(Kind.SINGLE, checkName(name), null, null, Map.of(), 0);
    }

    /**
     * The split of a row is the value of a field of one column's datum, for example {@code ("image",
     * "metadata.split")}. A row whose field is missing or not a valid split name fails the export with an
     * {@link InvalidArgumentException} naming the row and the value.
     *
     * @param column the column
     * @param field a dotted path starting with {@code data.} or {@code metadata.}
     * @return the split
     * @throws InvalidArgumentException naming the value if the column is blank or the path is not valid
     */
    public static Split byField(String column, String field) {
        if (column == null || column.isBlank()) {
            throw new InvalidArgumentException("split column must not be blank, got '" + column + "'");
        }
        if (field == null || !FIELD.matcher(field).matches()) {
            throw new InvalidArgumentException("split field must be a dotted path starting with data. or metadata.,"
                    + " got '" + field + "'");
        }
        return new Split(Kind.FIELD, DEFAULT_SPLIT, column, field, Map.of(), 0);
    }

    /**
     * A seeded random split: each row goes to a split with the given probability, chosen from a hash of the seed
     * and the row's datum ids (stable across runs).
     *
     * @param fractions split name to fraction, in order; each fraction in (0, 1], summing to 1 (within 1e-6)
     * @param seed the seed
     * @return the split
     * @throws InvalidArgumentException naming the value if a name or fraction is not valid or the sum is not 1
     */
    public static Split random(Map<String, Double> fractions, long seed) {
        if (fractions == null || fractions.isEmpty()) {
            throw new InvalidArgumentException("split fractions must not be empty");
        }
        LinkedHashMap<String, Double> copy = new LinkedHashMap<>();
        double sum = 0;
        for (Map.Entry<String, Double> e : fractions.entrySet()) {
            Double f = e.getValue();
            if (f == null || !(f > 0 && f <= 1)) {
                throw new InvalidArgumentException("split fraction of '" + e.getKey() + "' must be in (0, 1], got "
                        + f);
            }
            copy.put(checkName(e.getKey()), f);
            sum += f;
        }
        if (Math.abs(sum - 1) > 1e-6) {
            throw new InvalidArgumentException("split fractions must sum to 1, got " + sum + " for " + fractions);
        }
        return new Split(Kind.RANDOM, DEFAULT_SPLIT, null, null, Collections.unmodifiableMap(copy), seed);
    }

    /**
     * Parses the command line's {@code train=0.8,val=0.1,test=0.1}.
     *
     * @param spec comma-separated {@code NAME=FRACTION}
     * @param seed the seed
     * @return the split
     * @throws InvalidArgumentException naming the value if it does not parse or is not valid
     */
    public static Split parseRandom(String spec, long seed) {
        if (spec == null || spec.isBlank()) {
            throw new InvalidArgumentException("split must be NAME=FRACTION,..., got '" + spec + "'");
        }
        LinkedHashMap<String, Double> fractions = new LinkedHashMap<>();
        for (String part : spec.split(",", -1)) {
            int eq = part.indexOf('=');
            if (eq <= 0) {
                throw new InvalidArgumentException("split part '" + part + "' of '" + spec + "' is not NAME=FRACTION");
            }
            String name = part.substring(0, eq).trim();
            try {
                if (fractions.put(name, Double.parseDouble(part.substring(eq + 1).trim())) != null) {
                    throw new InvalidArgumentException("split '" + name + "' appears twice in '" + spec + "'");
                }
            } catch (NumberFormatException e) {
                throw new InvalidArgumentException("split part '" + part + "' of '" + spec
                        + "': the fraction is not a number");
            }
        }
        return random(fractions, seed);
    }

    private static String checkName(String name) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new InvalidArgumentException("split name must be 1 to 64 letters, digits, _ . - (not starting with"
                    + " . or -), got '" + name + "'");
        }
        return name;
    }

    /**
     * Returns the kind.
     *
     * @return the kind
     */
    public Kind kind() {
        return kind;
    }

    /**
     * Returns the split name of a {@link Kind#SINGLE} split.
     *
     * @return the name
     */
    public String singleName() {
        return single;
    }

    /**
     * Returns the column of a {@link Kind#FIELD} split.
     *
     * @return the column, null for other kinds
     */
    public @Nullable String column() {
        return column;
    }

    /**
     * Returns the field path of a {@link Kind#FIELD} split.
     *
     * @return the path, null for other kinds
     */
    public @Nullable String field() {
        return field;
    }

    /**
     * Returns the fractions of a {@link Kind#RANDOM} split, in order.
     *
     * @return the fractions; empty for other kinds
     */
    public Map<String, Double> fractions() {
        return fractions;
    }

    /**
     * Returns the seed of a {@link Kind#RANDOM} split.
     *
     * @return the seed
     */
    public long seed() {
        return seed;
    }

    @Override
    public String toString() {
        return switch (kind) {
            case SINGLE -> "Split{" + single + "}";
            case FIELD -> "Split{" + column + "." + field + "}";
            case RANDOM -> "Split{" + fractions + ", seed=" + seed + "}";
        };
    }
}
