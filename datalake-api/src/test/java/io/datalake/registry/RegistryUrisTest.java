package io.datalake.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.datalake.InvalidArgumentException;
import java.net.URI;
import org.junit.jupiter.api.Test;

class RegistryUrisTest {

    @Test
    void redactHidesSecretParametersAndPasswordsOnly() {
        assertThat(RegistryUris.redact("s3://b/p?endpoint=http://h:9000&secretAccessKey=abc%2Fdef&region=eu"
                + "&sessionToken=tok"))
                .isEqualTo("s3://b/p?endpoint=http://h:9000&secretAccessKey=***&region=eu&sessionToken=***");
        assertThat(RegistryUris.redact("s3://user:pa55@b/p")).isEqualTo("s3://user:***@b/p");
    }

    @Test
    void queryParametersAreDecodedAndDuplicatesRefused() {
        assertThat(RegistryUris.queryParameters(URI.create("s3://b/p?a=1&b=x%20y&flag")))
                .containsExactly(java.util.Map.entry("a", "1"), java.util.Map.entry("b", "x y"),
                        java.util.Map.entry("flag", ""));
        assertThatThrownBy(() -> RegistryUris.queryParameters(URI.create("s3://b/p?a=1&a=2")))
                .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("'a'");
    }
}
