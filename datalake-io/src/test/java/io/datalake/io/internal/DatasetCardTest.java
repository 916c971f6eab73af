package io.datalake.io.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Strings in the dataset card's YAML header read back as the same names in PyYAML, which datasets uses. */
class DatasetCardTest {
    @Test
    void aCharacterBeyondTheBasicPlaneIsOneEscapeNotTwoLoneSurrogates() {
        // PyYAML reads the 8-digit escape as the emoji, but the escaped UTF-16 pair (backslash-u D83D, backslash-u
        // DE00) as two lone surrogates: a feature name that matches no Parquet column (checked with yaml.safe_load).
        assertThat(DatasetCard.quote("image__metadata__é_\uD83D\uDE00"))
                .isEqualTo("\"image__metadata__é_\\U0001f600\"");
        assertThat(DatasetCard.quote("a\"b\\c\n\u0001\u2028")).isEqualTo("\"a\\\"b\\\\c\\n\\u0001\\u2028\"");
        assertThat(DatasetCard.quote("lone \uD83D end")).isEqualTo("\"lone \\ud83d end\"");
    }
}
