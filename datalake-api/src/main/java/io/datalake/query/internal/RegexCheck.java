package io.datalake.query.internal;

import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import org.jspecify.annotations.Nullable;

/**
 * Finds regular expressions that MongoDB's PCRE engine will certainly refuse, so a query fails before any I/O with
 * the same error on every server (the embedded server answers such patterns with an untyped internal error).
 *
 * <p>Java's regex dialect differs from PCRE (verbs like {@code (*UTF)}, {@code [a[b]}, comments, extended mode),
 * so a pattern is refused only when BOTH a PCRE-rules scan finds a structural error (an unbalanced parenthesis,
 * an unterminated character class, a quantifier with nothing to repeat) AND {@code java.util.regex} also fails to
 * compile it. Everything else is left to the server, whose rejection the engine reports as an invalid query too.
 */
final class RegexCheck {
    private static final Pattern INLINE_EXTENDED = Pattern.compile("\\(\\?[a-zA-Z^-]*x");

    private RegexCheck() {
    }

    /**
     * Returns why a pattern is certainly invalid.
     *
     * @param pattern the regular expression
     * @param options the MongoDB regex options ({@code imsxu...}), may be empty
     * @return a short reason, or null when the pattern may be valid
     */
    static @Nullable String certainError(String pattern, String options) {
        // Extended mode gives whitespace and '#' meanings the scan does not model; leave it to the server.
        if (options.indexOf('x') >= 0 || INLINE_EXTENDED.matcher(pattern).find()) {
            return null;
        }
        String structural = pcreStructuralError(pattern);
        if (structural == null) {
            return null;
        }
        try {
            Pattern.compile(pattern);
            return null;
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
