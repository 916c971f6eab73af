package io.datalake.registry.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.datalake.InvalidArgumentException;
import io.datalake.RegistrySettings;
import org.junit.jupiter.api.Test;

class RegistriesTest {

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
