package io.datalake.query.internal;

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
}
