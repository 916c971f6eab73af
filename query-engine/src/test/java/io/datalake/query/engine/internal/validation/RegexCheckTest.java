package io.datalake.query.engine.internal.validation;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Only patterns PCRE certainly refuses are rejected; PCRE syntax that Java lacks is left to the server. */
class RegexCheckTest {
    @ParameterizedTest
    @ValueSource(strings = {"[", "[a-z", "(a", "a)", "((a)", "*a", "+a", "?a", "(?#never closed", "a\\)|(b"})
    void structurallyBrokenPatternsAreCertainlyInvalid(String pattern) {
        assertThat(RegexCheck.certainError(pattern, "")).isNotNull();
    }

    @ParameterizedTest
    @ValueSource(strings = {"^c", "a(b|c)*d", "[]a]", "[^]a]", "[a[b]", "[[:alpha:]]+", "(*UTF)abc", "(*UCP)\\w",
        "(?'name'a)", "(?P<name>a)", "a\\Kb", "\\Q(\\E", "(?#comment)a", "(?(1)a|b)", "a{2,1}", "\\)", "[(]",
        "(?x) a # ( unclosed in a comment", ""})
    void patternsPcreMayAcceptAreLeftToTheServer(String pattern) {
        assertThat(RegexCheck.certainError(pattern, "")).isNull();
    }

    @ParameterizedTest
    @ValueSource(strings = {"a # (", "[ ] ("})
    void extendedModeIsLeftToTheServer(String pattern) {
        assertThat(RegexCheck.certainError(pattern, "ix")).isNull();
    }

    @ParameterizedTest
    @ValueSource(strings = {"(.*a){20}x", "(.*a){16}x", "(a+)+", "(a+)+b", "(a*)*", "(.*){5}", "(.*){2}",
        "^(\\w+\\s?)+$", "(a|aa)*b", "(a|aa)+", "(.|\\s)*", "(\\d|\\w)+", "(a?)+", "(a?){30}", "(a|)*",
        "(?:a+){2,}", "x((ab)*c)+", "(?i)(a|A)+", "(?=(a+)+b)", "((a|ab))*c", "(a{1,}){3}", "(a+?)+", "(a++)+"})
    void nestedAndAmbiguousRepetitionIsRefusedAsCatastrophicBacktracking(String pattern) {
        assertThat(RegexCheck.certainError(pattern, "")).contains("catastrophic backtracking");
    }

    @ParameterizedTest
    @ValueSource(strings = {"^img_\\d+\\.png$", ".*cat.*", "(foo|bar)+", "(cat|car)+", "a(b|c)*d",
        "^(\\d{1,3}\\.){3}\\d{1,3}$", "(ab)+", "(a+b)?", "(.*)", "(?:x|y)*z", "\\d+(\\.\\d+)?", "([a-z]\\d)+",
        "(a|b|c){3}", "^model_v[0-9]+$", "(?i)^cat", "(a*){1}", "(a|A)+"})
    void ordinaryPatternsPass(String pattern) {
        assertThat(RegexCheck.certainError(pattern, "")).isNull();
    }

    @ParameterizedTest
    @ValueSource(strings = {"(a+)+", "( a + ) +", "(a|A)+"})
    void optionsAreHonouredByTheBacktrackingRule(String pattern) {
        // Extended mode ignores the spaces; case-insensitive mode makes 'a' and 'A' the same alternative.
        assertThat(RegexCheck.certainError(pattern, "ix")).contains("catastrophic backtracking");
    }

    @org.junit.jupiter.api.Test
    void theReasonNamesTheOffendingGroupAndQuantifier() {
        assertThat(RegexCheck.certainError("^x(.*a){20}x", ""))
                .contains("'(.*a)'").contains("'{20}'").contains("'*'");
    }

    @org.junit.jupiter.api.Test
    void deeplyNestedGroupsAreRefusedWithPcresLimitInsteadOfOverflowingTheStack() {
        String deep = "(".repeat(30_000) + "a" + ")".repeat(30_000);
        assertThat(RegexCheck.certainError(deep, "")).contains("nested 30000 levels deep", "250");
        assertThat(RegexCheck.certainError(deep, "x")).contains("nested 30000 levels deep");
        String atTheLimit = "(".repeat(RegexCheck.MAX_GROUP_DEPTH) + "a" + ")".repeat(RegexCheck.MAX_GROUP_DEPTH);
        assertThat(RegexCheck.certainError(atTheLimit, "")).isNull();
        assertThat(RegexCheck.certainError("\\(".repeat(1000) + "[(((]", "")).isNull();
    }

    @org.junit.jupiter.api.Test
    void chainedQuantifiersGetAnAnswerNotAStackOverflow() {
        org.assertj.core.api.Assertions.assertThatCode(() -> RegexCheck.certainError("a" + "{1}".repeat(50_000), ""))
                .doesNotThrowAnyException();
    }

    @ParameterizedTest
    @ValueSource(strings = {"(\u30a2|[\u30a2]x)+", "(\u30a2b|[\u30a0-\u30ff])*", "(x|[a-z]y|[k]z)+"})
    void alternativesStartingWithTheSameCharacterBeyondTheSampleAreRefused(String pattern) {
        assertThat(RegexCheck.certainError(pattern, "")).contains("catastrophic backtracking");
    }

    @ParameterizedTest
    @ValueSource(strings = {"(\u30a2|[\u30a3]x)+", "(cat|car|[0-9]x|dog)*", "(abc|abd|x[a-z])+"})
    void alternativesWithDistinctBeginningsPass(String pattern) {
        assertThat(RegexCheck.certainError(pattern, "")).isNull();
    }

    @ParameterizedTest
    @ValueSource(strings = {".*.*.*.*.*.*.*.*.*.*.*.*x", ".*a.*a.*a.*a.*a.*a.*x", "a?a?a?a?a?a?a?a?aaaaaaaa",
        "\\w+\\s*\\w+\\s*\\w+\\s*\\w+\\s*\\w+\\s*\\w+", "(?:.*)(?:.*)(?:.*)(?:.*)(?:.*)(?:.*)x",
        ".*\\Qa\\E.*\\Qa\\E.*\\Qa\\E.*\\Qa\\E.*\\Qa\\E.*x", "^x\\d*\\d*\\d*\\d*\\d*\\d*y",
        "(?i)A*a*A*a*A*a*b", ".*?.*?.*?.*?.*?.*?x"})
    void theNestedBombWrittenOutIsRefusedToo(String pattern) {
        // (.*){12}x and .*.*.*.*.*.*.*.*.*.*.*.*x make the same engine work: the same split of the text, tried
        // every way before failing (measured: the second ran past the 60 s limit on 40 characters).
        assertThat(RegexCheck.certainError(pattern, "")).contains("catastrophic backtracking");
    }

    @ParameterizedTest
    @ValueSource(strings = {"^img_\\d+\\.png$", "(jpg|png)$", ".*cat.*", "[a-z]+_[0-9]+", "(foo|bar)+baz",
        ".*cat.*dog.*", "^.*foo.*bar.*baz.*$", "\\w+\\s*\\w+\\s*\\w+\\s*\\w+\\s*\\w+",
        "\\d{3}[- ]?\\d{3}[- ]?\\d{4}", "^\\s*\\d+\\s*-\\s*\\d+\\s*$", "https?://[^/]+/.*",
        "^[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\\.[A-Za-z]{2,}$", "\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}(\\.\\d+)?Z?",
        "^model_v\\d+\\.\\d+\\.\\d+$", ".*\\.(jpe?g|png|gif)$", "^[a-f0-9]{24}$", "a*b*c*d*e*f*g*"})
    void patternsUsersWriteAreNotRefused(String pattern) {
        assertThat(RegexCheck.certainError(pattern, "")).isNull();
    }

    @ParameterizedTest
    @ValueSource(strings = {"^[a-z]+(_[a-z]+)*$", "^[a-z0-9]+(-[a-z0-9]+)*$", "^\\w+(\\.\\w+)*$", "^(\\d+,)*\\d+$",
        "^/?([^/]+/)*[^/]+$", "([a-z]+\\.)+", "(?:_[a-z]+){2,}", "^([A-Z][a-z]* )+$"})
    void delimitedRunsSplitOneWayAndPass(String pattern) {
        // snake_case, slugs, dotted names, number lists, paths: the repetition cannot match the delimiter.
        assertThat(RegexCheck.certainError(pattern, "")).isNull();
    }

    @ParameterizedTest
    @ValueSource(strings = {"(a[ab]+)*", "(x[a-z]+y)*", "(_[a-z]+[a-z]+)*", "(_\\w+)*", "(_[a-z]+_?)*", "(?i)(A[a-z]+)*",
        "(\\.[^x]+)*"})
    void runsWhoseDelimiterTheRepetitionCanMatchAreStillRefused(String pattern) {
        assertThat(RegexCheck.certainError(pattern, "")).contains("catastrophic backtracking");
    }
}
