package io.datalake.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.datalake.InvalidArgumentException;
import io.datalake.RegistryNotAllowedException;
import io.datalake.RegistrySettings;
import java.util.Map;
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

    @Test
    void aStoredRegistryOutsideTheAllowListIsRefusedWithoutOpeningAnything() {
        RecordingProvider.OPENED.clear();
        try (Registries registries = new Registries(RegistrySettings.builder().allow("rec://lake/payloads").build())) {
            assertThatThrownBy(() -> registries.resolveStored("rec://elsewhere/etc?secretAccessKey=hunter2"))
                    .isInstanceOfSatisfying(RegistryNotAllowedException.class, e -> assertThat(e.registryUri())
                            .isEqualTo("rec://elsewhere/etc?secretAccessKey=***"))
                    .hasMessageContaining("rec://elsewhere/etc?secretAccessKey=***")
                    .hasMessageContaining("RegistrySettings.builder().allow(")
                    .hasMessageNotContaining("hunter2");
            for (String stored : new String[] {"/etc", "file:///etc", "azure://x/y", "relative", "rec://lake/other",
                "::not a uri"}) {
                assertThatThrownBy(() -> registries.resolveStored(stored))
                        .as(stored).isInstanceOf(RegistryNotAllowedException.class);
            }
        }
        assertThat(RecordingProvider.OPENED).isEmpty();
    }

    @Test
    void anAllowedStoredRegistryIsOpenedFromItsConfiguredUriNeverFromTheStoredParameters() {
        RecordingProvider.OPENED.clear();
        try (Registries registries = new Registries(RegistrySettings.builder()
                .allow("rec://lake/payloads?endpoint=http://configured:9000")
                .property("rec.region", "eu-west-1")
                .build())) {
            RegistryBackend handle = registries.resolveStored(
                    "rec://lake/payloads?endpoint=http://127.0.0.1:1&accessKeyId=EVIL");
            assertThat(handle.uri()).isEqualTo("rec://lake/payloads");
            assertThat(registries.resolveStored("rec://lake/payloads")).isSameAs(handle);
        }
        assertThat(RecordingProvider.OPENED).containsExactly(new RecordingProvider.Opened(
                "rec://lake/payloads?endpoint=http://configured:9000",
                Map.of("region", "eu-west-1", "endpoint", "http://configured:9000")));
    }

    @Test
    void theDefaultRegistryBackendsAndRegistriesWrittenToInCodeAreAllowed() {
        RecordingProvider.OPENED.clear();
        try (Registries registries = new Registries(RegistrySettings.builder()
                .defaultRegistry("rec://lake/default")
                .build())) {
            assertThat(registries.resolveStored("rec://lake/default").uri()).isEqualTo("rec://lake/default");
            assertThatThrownBy(() -> registries.resolveStored("rec://lake/written"))
                    .isInstanceOf(RegistryNotAllowedException.class);
            // A URI a caller passes in code is trusted like the settings: this lake can read back what it wrote.
            RegistryBackend written = registries.resolve("rec://lake/written");
            assertThat(registries.resolveStored("rec://lake/written")).isSameAs(written);
        }
    }

    @Test
    void aConfiguredRegistryWithoutABackendIsABadSetting() {
        assertThatThrownBy(() -> new Registries(RegistrySettings.builder().allow("azure://container/x").build()))
                .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("RegistrySettings.allow")
                .hasMessageContaining("'azure'");
        assertThatThrownBy(() -> new Registries(RegistrySettings.builder().defaultRegistry("relative").build()))
                .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("defaultRegistry");
        assertThatThrownBy(() -> RegistrySettings.builder().allow(" "))
                .isInstanceOf(InvalidArgumentException.class);
    }
}
