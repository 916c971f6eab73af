package io.datalake.query.engine.internal.validation;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import org.jspecify.annotations.Nullable;

/**
 * Finds regular expressions that MongoDB's PCRE engine will certainly refuse, so a query fails before any I/O with
 * the same error on every server (the embedded server answers such patterns with an untyped internal error), and
 * regular expressions that may take exponential time on a backtracking engine (see {@link #backtrackingRisk}), so
 * a "regex bomb" never reaches a server.
 *
 * <p>Java's regex dialect differs from PCRE (verbs like {@code (*UTF)}, {@code [a[b]}, comments, extended mode),
 * so a pattern is refused only when BOTH a PCRE-rules scan finds a structural error (an unbalanced parenthesis,
 * an unterminated character class, a quantifier with nothing to repeat) AND {@code java.util.regex} also fails to
 * compile it. Everything else is left to the server, whose rejection the engine reports as an invalid query too.
 */
final class RegexCheck {
    private static final Pattern INLINE_EXTENDED = Pattern.compile("\\(\\?[a-zA-Z^-]*x");
    private static final Pattern INLINE_CASELESS = Pattern.compile("\\(\\?[a-zA-Z^-]*i");

    private RegexCheck() {
    }

    /**
     * Returns why a pattern is certainly invalid, or may take exponential time.
     *
     * @param pattern the regular expression
     * @param options the MongoDB regex options ({@code imsxu...}), may be empty
     * @return a short reason, or null when the pattern may be valid
     */
    static @Nullable String certainError(String pattern, String options) {
        int depth = groupDepth(pattern);
        if (depth > MAX_GROUP_DEPTH) {
            return "its groups are nested " + depth + " levels deep; PCRE refuses more than " + MAX_GROUP_DEPTH
                    + " (parentheses are too deeply nested)";
        }
        try {
            return checked(pattern, options);
        } catch (StackOverflowError e) {
            // Chained quantifiers such as a{1}{1}{1}... nest without parentheses; the scans here recurse.
            return "it is too deeply nested to check for catastrophic backtracking; simplify it";
        }
    }

    /** The largest count PCRE accepts in a {@code {n,m}} quantifier. */
    static final int MAX_COUNT = 65535;

    /** PCRE2's default limit on the nesting of parentheses ({@code PARENS_NEST_LIMIT}), MongoDB's too. */
    static final int MAX_GROUP_DEPTH = 250;

    /** The deepest nesting of parentheses, scanned without recursion (escapes, quoting and classes skipped). */
    private static int groupDepth(String p) {
        int depth = 0;
        int max = 0;
        int i = 0;
        int n = p.length();
        while (i < n) {
            char c = p.charAt(i);
            if (c == '\\') {
                if (i + 1 < n && p.charAt(i + 1) == 'Q') {
                    int end = p.indexOf("\\E", i + 2);
                    i = end < 0 ? n : end + 2;
                } else {
                    i += 2;
                }
            } else if (c == '[') {
                int end = skipClass(p, i);
                i = end < 0 ? n : end;
            } else {
                if (c == '(') {
                    max = Math.max(max, ++depth);
                } else if (c == ')' && depth > 0) {
                    depth--;
                }
                i++;
            }
        }
        return max;
    }

    private static @Nullable String checked(String pattern, String options) {
        // Extended mode gives whitespace and '#' meanings the structural scan does not model; leave it to the server.
        if (options.indexOf('x') >= 0 || INLINE_EXTENDED.matcher(pattern).find()) {
            return backtrackingRisk(pattern, INLINE_EXTENDED.matcher(pattern).find() ? options + "x" : options);
        }
        String structural = pcreStructuralError(pattern);
        if (structural == null) {
            return backtrackingRisk(pattern, options);
        }
        try {
            Pattern.compile(pattern);
            return backtrackingRisk(pattern, options);
        } catch (PatternSyntaxException e) {
            return structural;
        }
    }

    /** Scans with PCRE's rules for the few errors that need no knowledge of PCRE's extensions. */
    private static @Nullable String pcreStructuralError(String p) {
        if (!p.isEmpty() && (p.charAt(0) == '*' || p.charAt(0) == '+' || p.charAt(0) == '?')) {
            return "the quantifier '" + p.charAt(0) + "' at offset 0 has nothing to repeat";
        }
        int depth = 0;
        int i = 0;
        int n = p.length();
        while (i < n) {
            char c = p.charAt(i);
            if (c == '\\') {
                if (i + 1 < n && p.charAt(i + 1) == 'Q') {
                    int end = p.indexOf("\\E", i + 2);
                    i = end < 0 ? n : end + 2;
                } else {
                    i += 2;
                }
            } else if (c == '[') {
                i = skipClass(p, i);
                if (i < 0) {
                    return "the character class is not terminated by ']'";
                }
            } else if (c == '(') {
                if (p.startsWith("(?#", i)) {
                    int end = p.indexOf(')', i);
                    if (end < 0) {
                        return "the comment '(?#' is not closed";
                    }
                    i = end + 1;
                } else {
                    depth++;
                    i++;
                }
            } else if (c == ')') {
                if (--depth < 0) {
                    return "the ')' at offset " + i + " closes no group";
                }
                i++;
            } else {
                i++;
            }
        }
        return depth > 0 ? depth + " group(s) opened by '(' are not closed" : null;
    }

    /**
     * Returns why a pattern may take exponential time on a backtracking engine (PCRE, and the embedded server's
     * {@code java.util.regex}), or null. The rule, applied to every group repeated more than once (by {@code *},
     * {@code +}, {@code {n,}}, or {@code {n,m}}/{@code {n}} with an upper bound of 2 or more):
     * <ol>
     *   <li>its body must not contain an unbounded quantifier ({@code *}, {@code +}, {@code {n,}}): nested
     *       quantifiers such as {@code (a+)+}, {@code (.*a){20}x} or {@code (.*){5}} let the engine split the same
     *       text between the inner and outer repetition in exponentially many ways; except a delimited run
     *       ({@link #delimited}: {@code (_[a-z]+)*}, {@code (\.\w+)*}, {@code ([^/]+/)*}), which splits one way;</li>
     *   <li>its body must not be able to match the empty string ({@code (a?)+}, {@code (a|)*}): each iteration
     *       may then match something or nothing, the same ambiguity;</li>
     *   <li>if its body is an alternation, no two alternatives may match a common beginning: for alternatives that
     *       are plain text, neither may be a prefix of the other ({@code (a|aa)*} is refused, {@code (foo|bar)+} and
     *       {@code (cat|car)+} are not); otherwise their first characters must differ ({@code (\d|\w)+} and
     *       {@code (.|\s)*} are refused).</li>
     * </ol>
     * Written out without a group, the same bomb is a run of variable repetitions of single characters that can
     * each match what the previous one matches ({@code .*.*.*.*.*.*x}, {@code a?a?a?a?a?a?aaaaaa}): more than
     * {@link #MAX_AMBIGUOUS_RUN} in a row are refused as well.
     * The rule is conservative: a pattern it refuses may still be fast on some inputs (for example
     * {@code ([a-z]+\.)+}), but every pattern it accepts repeats only unambiguous groups. Possessive quantifiers and
     * atomic groups are not treated specially.
     *
     * @param pattern the regular expression, structurally valid
     * @param options the MongoDB regex options
     * @return a reason naming the offending group, or null
     */
    static @Nullable String backtrackingRisk(String pattern, String options) {
        Node root;
        Parser parser = new Parser(pattern, options.indexOf('x') >= 0);
        try {
            root = parser.parse();
        } catch (RuntimeException e) {
            return null; // not a structure this scan models: left to the server and its time limit
        }
        if (parser.tooLarge != null) {
            return "the quantifier '" + parser.tooLarge + "' counts beyond " + MAX_COUNT + ", PCRE's limit (number"
                    + " too big in {} quantifier)";
        }
        // An inline (?i) anywhere counts for the whole pattern: that can only find more overlaps, never fewer.
        return risk(root, pattern, options.indexOf('i') >= 0 || INLINE_CASELESS.matcher(pattern).find());
    }

    private static @Nullable String risk(Node node, String pattern, boolean caseInsensitive) {
        if (node instanceof Repeat) {
            Repeat repeat = (Repeat) node;
            if (repeat.repeatsMoreThanOnce() && !(repeat.body instanceof Atom)) {
                String group = "'" + pattern.substring(repeat.body.start, repeat.body.end) + "'";
                String quantifier = "'" + pattern.substring(repeat.body.end, repeat.end) + "'";
                Repeat inner = firstUnbounded(repeat.body);
                if (inner != null && !delimited(repeat.body, pattern, caseInsensitive)) {
                    return "the group " + group + " is repeated by " + quantifier + " and contains the unbounded"
                            + " quantifier '" + pattern.substring(inner.body.end, inner.end) + "'" + RISK;
                }
                if (nullable(repeat.body)) {
                    return "the group " + group + " is repeated by " + quantifier
                            + " and can match the empty string" + RISK;
                }
                String overlap = overlappingAlternatives(repeat.body, pattern, caseInsensitive);
                if (overlap != null) {
                    return "the group " + group + " is repeated by " + quantifier + " and its alternatives "
                            + overlap + " can match the same beginning" + RISK;
                }
            }
        }
        if (node instanceof Sequence) {
            String chain = chainRisk((Sequence) node, pattern, caseInsensitive);
            if (chain != null) {
                return chain;
            }
        }
        for (Node child : node.children()) {
            String found = risk(child, pattern, caseInsensitive);
            if (found != null) {
                return found;
            }
        }
        return null;
    }

    /**
     * Longest run of variable-length repetitions of single characters ({@code .*}, {@code \w+}, {@code a?},
     * {@code x{0,3}}) in one sequence, each able to match what the previous one matches, that is accepted. Such a
     * run is the nested-quantifier bomb written out: {@code .*.*.*.*.*.*.*.*.*.*.*.*x} on 40 characters ran for
     * minutes just like {@code (.*){12}x}, because the engine tries every way of splitting the text between the
     * repetitions (a polynomial of the run's length as degree; {@code a?a?...a?aa...a} is exponential).
     * {@code .*cat.*dog.*} (a run of 3) and five words {@code \w+\s*\w+\s*...} pass.
     */
    static final int MAX_AMBIGUOUS_RUN = 5;

    /**
     * Finds a run of more than {@link #MAX_AMBIGUOUS_RUN} overlapping variable repetitions in a sequence. Between
     * two of them, characters the earlier one can also match and repetitions that may match nothing keep the run
     * going; anything else (a character it cannot match, a group, an alternation) ends it.
     */
    private static @Nullable String chainRisk(Sequence sequence, String pattern, boolean caseInsensitive) {
        List<Node> items = new ArrayList<>();
        for (Node item : sequence.items) {
            if (item instanceof Sequence) {
                items.addAll(((Sequence) item).items); // a \Q...\E run: its characters one by one
            } else {
                items.add(item);
            }
        }
        int flags = (caseInsensitive ? Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE : 0) | Pattern.DOTALL;
        int run = 0;
        int runStart = 0;
        @Nullable Pattern previous = null;
        java.util.Map<String, Boolean> compared = new java.util.HashMap<>(); // long patterns repeat their atoms
        for (Node item : items) {
            Node node = unwrap(item);
            if (node instanceof Atom && ((Atom) node).zeroWidth) {
                continue;
            }
            Repeat repeat = node instanceof Repeat ? (Repeat) node : null;
            Node single = repeat != null ? unwrap(repeat.body) : node;
            if (!(single instanceof Atom) || ((Atom) single).zeroWidth) {
                run = 0;
                previous = null;
                continue;
            }
            Pattern atom;
            try {
                atom = Pattern.compile(pattern.substring(single.start, single.end), flags);
            } catch (PatternSyntaxException e) {
                run = 0;
                previous = null;
                continue;
            }
            boolean variable = repeat != null && repeat.min != repeat.max;
            Pattern earlier = previous;
            boolean overlaps = earlier != null && compared.computeIfAbsent(
                    earlier.pattern() + "\u0000" + atom.pattern(), k -> sameCharacter(earlier, atom));
            if (variable && overlaps) {
                run++;
                previous = atom;
                if (run > MAX_AMBIGUOUS_RUN) {
                    return "its " + run + " repetitions in a row '" + pattern.substring(runStart, item.end)
                            + "' can each match the same characters, so a failing match tries every way of"
                            + " splitting the text between them (" + MAX_AMBIGUOUS_RUN + " are accepted)" + RISK;
                }
            } else if (variable && repeat != null && repeat.min == 0 && previous != null) {
                continue; // it may match nothing: the run goes on across it
            } else if (variable) {
                run = 1;
                runStart = item.start;
                previous = atom;
            } else if (!overlaps) {
                run = 0;
                previous = null;
            }
        }
        return null;
    }

    /** A group that only holds one item (non-capturing or not, not a lookaround), seen as that item. */
    private static Node unwrap(Node node) {
        Node current = node;
        while (current instanceof Group && !((Group) current).lookaround
                || current instanceof Sequence && ((Sequence) current).items.size() == 1) {
            current = current instanceof Group ? ((Group) current).body : ((Sequence) current).items.get(0);
        }
        return current;
    }

    /** Whether two single-character patterns match a common character of the sampled blocks. */
    private static boolean sameCharacter(Pattern a, Pattern b) {
        for (char c = 0; c < SAMPLE_CHARS; c++) {
            String text = String.valueOf(c);
            if (a.matcher(text).matches() && b.matcher(text).matches()) {
                return true;
            }
        }
        return false;
    }

    /**
     * Whether a repeated group is a delimited run, such as {@code (_[a-z]+)*}, {@code (\.\w+)*} or
     * {@code ([^/]+/)*}: single characters only, exactly one of them repeated without bound, and at least one fixed
     * character that this repetition cannot match. The delimiter fixes where each iteration's run must end, so the
     * text splits between iterations in one way only: no catastrophic backtracking, and these are the most common
     * repeated groups users write (snake_case, slugs, dotted names, paths, lists).
     */
    private static boolean delimited(Node body, String pattern, boolean caseInsensitive) {
        Node node = unwrap(body);
        if (!(node instanceof Sequence)) {
            return false;
        }
        int flags = (caseInsensitive ? Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE : 0) | Pattern.DOTALL;
        Pattern run = null;
        List<Atom> fixed = new ArrayList<>();
        for (Node item : ((Sequence) node).items) {
            Node single = unwrap(item);
            if (single instanceof Atom) {
                if (!((Atom) single).zeroWidth) {
                    fixed.add((Atom) single);
                }
                continue;
            }
            if (!(single instanceof Repeat) || ((Repeat) single).max >= 0 || run != null) {
                return false;
            }
            Node repeated = unwrap(((Repeat) single).body);
            if (!(repeated instanceof Atom) || ((Atom) repeated).zeroWidth) {
                return false;
            }
            try {
                run = Pattern.compile(pattern.substring(repeated.start, repeated.end), flags);
            } catch (PatternSyntaxException e) {
                return false;
            }
        }
        if (run == null) {
            return false;
        }
        for (Atom delimiter : fixed) {
            Pattern d;
            try {
                d = Pattern.compile(pattern.substring(delimiter.start, delimiter.end), flags);
            } catch (PatternSyntaxException e) {
                continue;
            }
            boolean literalOverlaps = delimiter.literal != null
                    && run.matcher(String.valueOf(delimiter.literal)).matches();
            if (!literalOverlaps && !sameCharacter(run, d)) {
                return true;
            }
        }
        return false;
    }

    private static final String RISK = ": nested or ambiguous repetition can take exponential time to fail"
            + " (catastrophic backtracking); rewrite it without repeating a group that itself repeats or can match"
            + " the same text in several ways";

    private static @Nullable Repeat firstUnbounded(Node node) {
        if (node instanceof Repeat && ((Repeat) node).max < 0) {
            return (Repeat) node;
        }
        for (Node child : node.children()) {
            Repeat found = firstUnbounded(child);
            if (found != null) {
                return found;
            }
        }
        return null;
    }

    private static boolean nullable(Node node) {
        if (node instanceof Atom) {
            return ((Atom) node).zeroWidth;
        }
        if (node instanceof Repeat) {
            return ((Repeat) node).min == 0 || nullable(((Repeat) node).body);
        }
        if (node instanceof Group) {
            return ((Group) node).lookaround || nullable(((Group) node).body);
        }
        if (node instanceof Alternation) {
            return ((Alternation) node).alternatives.stream().anyMatch(RegexCheck::nullable);
        }
        return ((Sequence) node).items.stream().allMatch(RegexCheck::nullable);
    }

    /** The first pair of alternatives of the body's alternation that may match a common beginning, or null. */
    private static @Nullable String overlappingAlternatives(Node body, String pattern, boolean caseInsensitive) {
        Node node = body;
        while (node instanceof Group && !((Group) node).lookaround
                || node instanceof Sequence && ((Sequence) node).items.size() == 1) {
            node = node instanceof Group ? ((Group) node).body : ((Sequence) node).items.get(0);
        }
        if (!(node instanceof Alternation)) {
            return null;
        }
        List<Node> alternatives = ((Alternation) node).alternatives;
        // Linear-ish in the number of alternatives: a query may hold thousands, and comparing every pair (each
        // comparison trying every sample character) would take the client minutes.
        int n = alternatives.size();
        String[] texts = new String[n];
        List<Integer> literals = new ArrayList<>();
        List<Integer> others = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            String text = literalText(alternatives.get(i));
            if (text != null) {
                texts[i] = caseInsensitive ? text.toLowerCase(Locale.ROOT) : text;
                literals.add(i);
            } else {
                others.add(i);
            }
        }
        // Plain text: if one alternative is a prefix of another, it is a prefix of its successor in sorted order.
        literals.sort((a, b) -> texts[a].compareTo(texts[b]));
        for (int k = 0; k + 1 < literals.size(); k++) {
            if (texts[literals.get(k + 1)].startsWith(texts[literals.get(k)])) {
                return pair(alternatives, literals.get(k), literals.get(k + 1), pattern);
            }
        }
        if (others.isEmpty()) {
            return null;
        }
        // Any other alternative: its first character must not be one another alternative can start with.
        int flags = (caseInsensitive ? Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE : 0) | Pattern.DOTALL;
        java.util.Map<Character, Integer> owner = new java.util.HashMap<>();
        java.util.TreeSet<Character> tried = new java.util.TreeSet<>();
        for (char c = 0; c < SAMPLE_CHARS; c++) {
            tried.add(c);
        }
        for (int i : literals) {
            char c = texts[i].charAt(0);
            tried.add(c);
            owner.putIfAbsent(c, i); // plain-text alternatives may share a first character: (cat|car)+ is fine
        }
        if ((long) others.size() * tried.size() > MAX_CHECKS) {
            return "'" + pattern.substring(node.start, node.end) + "' (" + n + " alternatives, too many to compare)";
        }
        for (int i : others) {
            Atom firstI = firstAtom(alternatives.get(i));
            Pattern first;
            try {
                first = firstI == null ? null : Pattern.compile(pattern.substring(firstI.start, firstI.end), flags);
            } catch (PatternSyntaxException e) {
                first = null;
            }
            if (first == null) {
                // It may start with anything: it overlaps whatever other alternative there is.
                return pair(alternatives, i == 0 ? 1 : 0, i, pattern);
            }
            for (char c : tried) {
                if (first.matcher(String.valueOf(c)).matches()) {
                    Integer previous = owner.putIfAbsent(c, i);
                    if (previous != null && previous != i) {
                        return pair(alternatives, Math.min(previous, i), Math.max(previous, i), pattern);
                    }
                }
            }
        }
        return null;
    }

    /** Bound on (alternatives that are not plain text) x (characters tried), about a second of matching. */
    private static final long MAX_CHECKS = 5_000_000;

    private static String pair(List<Node> alternatives, int i, int j, String pattern) {
        Node a = alternatives.get(Math.min(i, j));
        Node b = alternatives.get(Math.max(i, j));
        return "'" + pattern.substring(a.start, a.end) + "' and '" + pattern.substring(b.start, b.end) + "'";
    }

    /** Characters tried when comparing two first atoms: Latin-1 and the Latin, Greek and Cyrillic blocks. */
    private static final int SAMPLE_CHARS = 0x0530;

    /** The alternative's text when it is plain literal characters, else null. */
    private static @Nullable String literalText(Node node) {
        if (node instanceof Atom && ((Atom) node).literal != null) {
            return String.valueOf(((Atom) node).literal);
        }
        if (!(node instanceof Sequence) || ((Sequence) node).items.isEmpty()) {
            return null;
        }
        StringBuilder text = new StringBuilder();
        for (Node item : ((Sequence) node).items) {
            if (!(item instanceof Atom) || ((Atom) item).literal == null) {
                return null;
            }
            text.append(((Atom) item).literal);
        }
        return text.toString();
    }

    /** The atom an alternative must start with, or null when that is not a single character atom. */
    private static @Nullable Atom firstAtom(Node node) {
        while (true) {
            if (node instanceof Atom) {
                return ((Atom) node).zeroWidth ? null : (Atom) node;
            }
            if (node instanceof Repeat && ((Repeat) node).min > 0) {
                node = ((Repeat) node).body;
            } else if (node instanceof Sequence && !((Sequence) node).items.isEmpty()
                    && !nullable(((Sequence) node).items.get(0))) {
                node = ((Sequence) node).items.get(0);
            } else {
                return null;
            }
        }
    }

    /** A parsed piece of a pattern, with its extent in the pattern text. */
    private abstract static class Node {
        final int start;
        int end;

        Node(int start) {
            this.start = start;
        }

        List<Node> children() {
            return List.of();
        }
    }

    /** One character-matching or zero-width element: a character, escape, class, dot, anchor or verb. */
    private static final class Atom extends Node {
        final boolean zeroWidth;
        final @Nullable Character literal;

        Atom(int start, int end, boolean zeroWidth, @Nullable Character literal) {
            super(start);
            this.end = end;
            this.zeroWidth = zeroWidth;
            this.literal = literal;
        }
    }

    private static final class Group extends Node {
        final Node body;
        final boolean lookaround;

        Group(int start, Node body, boolean lookaround) {
            super(start);
            this.body = body;
            this.lookaround = lookaround;
        }

        @Override
        List<Node> children() {
            return List.of(body);
        }
    }

    private static final class Repeat extends Node {
        final Node body;
        final int min;
        /** -1 when unbounded. */
        final int max;

        Repeat(Node body, int min, int max) {
            super(body.start);
            this.body = body;
            this.min = min;
            this.max = max;
        }

        boolean repeatsMoreThanOnce() {
            return max < 0 || max >= 2;
        }

        @Override
        List<Node> children() {
            return List.of(body);
        }
    }

    private static final class Sequence extends Node {
        final List<Node> items = new ArrayList<>();

        Sequence(int start) {
            super(start);
        }

        @Override
        List<Node> children() {
            return items;
        }
    }

    private static final class Alternation extends Node {
        final List<Node> alternatives;

        Alternation(int start, List<Node> alternatives) {
            super(start);
            this.alternatives = alternatives;
        }

        @Override
        List<Node> children() {
            return alternatives;
        }
    }

    /** A recursive-descent parser of PCRE's structure: groups, alternation, quantifiers; atoms stay opaque. */
    private static final class Parser {
        private static final Pattern COUNTED = Pattern.compile("\\{(\\d+)(,(\\d*))?}");
        private final String p;
        private final boolean extended;
        private int i;
        /** A counted quantifier beyond PCRE's limit, if one was seen. */
        @Nullable String tooLarge;

        Parser(String pattern, boolean extended) {
            this.p = pattern;
            this.extended = extended;
        }

        Node parse() {
            Node node = alternation();
            if (i < p.length()) {
                throw new IllegalStateException("unbalanced ')' at " + i);
            }
            return node;
        }

        private Node alternation() {
            int start = i;
            List<Node> alternatives = new ArrayList<>();
            alternatives.add(sequence());
            while (i < p.length() && p.charAt(i) == '|') {
                i++;
                alternatives.add(sequence());
            }
            if (alternatives.size() == 1) {
                return alternatives.get(0);
            }
            Alternation alternation = new Alternation(start, alternatives);
            alternation.end = i;
            return alternation;
        }

        private Sequence sequence() {
            Sequence sequence = new Sequence(i);
            while (i < p.length() && p.charAt(i) != '|' && p.charAt(i) != ')') {
                Node atom = atom();
                if (atom != null) {
                    sequence.items.add(quantified(atom));
                }
            }
            sequence.end = i;
            return sequence;
        }

        private Node quantified(Node atom) {
            Node node = atom;
            while (i < p.length()) {
                skipIgnored();
                if (i >= p.length()) {
                    return node;
                }
                char c = p.charAt(i);
                int min;
                int max;
                int from = i;
                if (c == '*' || c == '+' || c == '?') {
                    min = c == '+' ? 1 : 0;
                    max = c == '?' ? 1 : -1;
                    i++;
                } else if (c == '{') {
                    Matcher m = COUNTED.matcher(p).region(i, p.length());
                    if (!m.lookingAt()) {
                        return node; // a literal '{'
                    }
                    String low = m.group(1);
                    String high = m.group(2) == null ? low : m.group(3);
                    if (low.length() > 5 || Integer.parseInt(low) > MAX_COUNT
                            || high.length() > 5 || !high.isEmpty() && Integer.parseInt(high) > MAX_COUNT) {
                        tooLarge = m.group();
                    }
                    min = (int) Math.min(Long.parseLong(low.length() > 9 ? "999999999" : low), MAX_COUNT);
                    max = high.isEmpty() ? -1
                            : (int) Math.min(Long.parseLong(high.length() > 9 ? "999999999" : high), MAX_COUNT);
                    i = m.end();
                } else {
                    return node;
                }
                if (i < p.length() && (p.charAt(i) == '?' || p.charAt(i) == '+')) {
                    i++; // lazy or possessive: the same repetition for this analysis
                }
                if (from == i) {
                    return node;
                }
                Repeat repeat = new Repeat(node, min, max);
                repeat.end = i;
                node = repeat;
            }
            return node;
        }

        /** Parses one atom or group; null for text that matches nothing (comments, extended-mode space). */
        private @Nullable Node atom() {
            int start = i;
            char c = p.charAt(i);
            if (extended && Character.isWhitespace(c)) {
                i++;
                return null;
            }
            if (extended && c == '#') {
                int end = p.indexOf('\n', i);
                i = end < 0 ? p.length() : end + 1;
                return null;
            }
            if (c == '(') {
                return group();
            }
            if (c == '[') {
                int end = skipClass(p, i);
                if (end < 0) {
                    throw new IllegalStateException("unterminated class");
                }
                i = end;
                return new Atom(start, i, false, null);
            }
            if (c == '\\') {
                return escape();
            }
            i++;
            boolean zeroWidth = c == '^' || c == '$';
            return new Atom(start, i, zeroWidth, zeroWidth || c == '.' ? null : c);
        }

        private @Nullable Node escape() {
            int start = i;
            if (i + 1 >= p.length()) {
                throw new IllegalStateException("trailing backslash");
            }
            char e = p.charAt(i + 1);
            if (e == 'Q') {
                int end = p.indexOf("\\E", i + 2);
                String quoted = p.substring(i + 2, end < 0 ? p.length() : end);
                i = end < 0 ? p.length() : end + 2;
                if (quoted.isEmpty()) {
                    return null;
                }
                // A quoted run is literal text; a quantifier after it repeats its last character only.
                Sequence run = new Sequence(start);
                for (int k = 0; k < quoted.length(); k++) {
                    run.items.add(new Atom(start, i, false, quoted.charAt(k)));
                }
                run.end = i;
                return run;
            }
            i += 2;
            if ("xpPgkNo".indexOf(e) >= 0 && i < p.length() && "{<'".indexOf(p.charAt(i)) >= 0) {
                char close = p.charAt(i) == '{' ? '}' : p.charAt(i) == '<' ? '>' : '\'';
                int end = p.indexOf(close, i + 1);
                i = end < 0 ? p.length() : end + 1;
            }
            boolean zeroWidth = "bBAzZGK".indexOf(e) >= 0;
            boolean literal = !Character.isLetterOrDigit(e);
            return new Atom(start, i, zeroWidth, literal ? Character.valueOf(e) : null);
        }

        private @Nullable Node group() {
            int start = i;
            if (p.startsWith("(?#", i)) {
                int end = p.indexOf(')', i);
                i = end < 0 ? p.length() : end + 1;
                return null;
            }
            if (p.startsWith("(*", i)) {
                int end = p.indexOf(')', i);
                i = end < 0 ? p.length() : end + 1;
                return new Atom(start, i, true, null);
            }
            i++;
            boolean lookaround = false;
            if (i < p.length() && p.charAt(i) == '?') {
                int end = flagsEnd(i + 1);
                if (end < p.length() && p.charAt(end) == ')') {
                    i = end + 1; // inline options such as (?i): they match nothing
                    return new Atom(start, i, true, null);
                }
                if (p.startsWith("?=", i) || p.startsWith("?!", i) || p.startsWith("?<=", i)
                        || p.startsWith("?<!", i)) {
                    lookaround = true;
                    i += p.charAt(i + 1) == '<' ? 3 : 2;
                } else if (p.startsWith("?(", i)) {
                    int close = p.indexOf(')', i);
                    i = close < 0 ? p.length() : close + 1; // a condition: what follows are its branches
                } else if (p.startsWith("?P<", i) || p.startsWith("?<", i) || p.startsWith("?'", i)) {
                    char close = p.charAt(i + 1) == '\'' ? '\'' : '>';
                    int end2 = p.indexOf(close, i + 2);
                    i = end2 < 0 ? p.length() : end2 + 1;
                } else if (end < p.length() && p.charAt(end) == ':') {
                    i = end + 1; // (?:...) or (?i:...)
                } else {
                    i++; // (?>, (?|, and other one-character kinds
                }
            }
            Node body = alternation();
            if (i >= p.length() || p.charAt(i) != ')') {
                throw new IllegalStateException("unclosed group");
            }
            i++;
            Group group = new Group(start, body, lookaround);
            group.end = i;
            return group;
        }

        /** In extended mode, skips the white space and comments between an item and its quantifier. */
        private void skipIgnored() {
            while (extended && i < p.length() && (Character.isWhitespace(p.charAt(i)) || p.charAt(i) == '#')) {
                if (p.charAt(i) == '#') {
                    int end = p.indexOf('\n', i);
                    i = end < 0 ? p.length() : end + 1;
                } else {
                    i++;
                }
            }
        }

        /** The index after the option letters of {@code (?imsx-imsx}. */
        private int flagsEnd(int from) {
            int k = from;
            while (k < p.length() && (Character.isLetter(p.charAt(k)) || p.charAt(k) == '-' || p.charAt(k) == '^')) {
                k++;
            }
            return k;
        }
    }

    /** Returns the index after the class that starts at {@code start}, or -1 if it never ends. */
    private static int skipClass(String p, int start) {
        int i = start + 1;
        int n = p.length();
        if (i < n && p.charAt(i) == '^') {
            i++;
        }
        if (i < n && p.charAt(i) == ']') {
            // A ']' first in a class is a literal in PCRE.
            i++;
        }
        while (i < n) {
            char c = p.charAt(i);
            if (c == '\\') {
                i += 2;
            } else if (c == '[' && i + 1 < n && (p.charAt(i + 1) == ':' || p.charAt(i + 1) == '.'
                    || p.charAt(i + 1) == '=')) {
                int end = p.indexOf(p.charAt(i + 1) + "]", i + 2);
                i = end < 0 ? i + 1 : end + 2;
            } else if (c == ']') {
                return i + 1;
            } else {
                i++;
            }
        }
        return -1;
    }
}
