package io.datalake.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.datalake.InvalidArgumentException;
import io.datalake.RegistrySettings;
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

    @Test
    void unknownSchemesAndRelativeUrisAreClearErrors() {
        try (Registries registries = new Registries(RegistrySettings.defaults())) {
            assertThatThrownBy(() -> registries.resolve("azure://container/x"))
                    .isInstanceOf(InvalidArgumentException.class)
                    .hasMessageContaining("'azure'")
                    .hasMessageContaining("schemes on the classpath: " + registries.availableSchemes());
            assertThatThrownBy(() -> registries.resolve("relative/path"))
                    .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("no scheme");
        }
    }

    @Test
    void contentAddressedKeysAreShardedAndRecognized() {
        String sha = "ab" + "cd" + "0".repeat(60);
        assertThat(ContentAddressedRegistry.keyFor(sha)).isEqualTo("ab/cd/" + sha);
        assertThat(ContentAddressedRegistry.hashOfKey("ab/cd/" + sha)).isEqualTo(sha);
        assertThat(ContentAddressedRegistry.hashOfKey("xx/cd/" + sha)).isNull();
        assertThatThrownBy(() -> ContentAddressedRegistry.keyFor("../etc")).isInstanceOf(InvalidArgumentException.class);
    }
}
