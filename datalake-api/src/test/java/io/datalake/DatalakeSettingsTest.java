package io.datalake;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class DatalakeSettingsTest {

    @Test
    void defaultsDescribeAnEmbeddedLakeWithThePythonCollection() {
        DatalakeSettings settings = DatalakeSettings.builder().build();

        assertThat(settings.mongoUri()).isNull();
        assertThat(settings.database()).isEqualTo(DatalakeSettings.DEFAULT_DATABASE);
        assertThat(settings.collection()).isEqualTo("Datum");
        assertThat(settings.batchSize()).isEqualTo(DatalakeSettings.DEFAULT_BATCH_SIZE);
        assertThat(settings.clock().getZone()).isEqualTo(ZoneOffset.UTC);
    }

    @Test
    void toBuilderCopiesEverySetting() {
        Clock clock = Clock.fixed(Instant.EPOCH, ZoneOffset.UTC);
        DatalakeSettings settings = DatalakeSettings.builder()
                .mongoUri("mongodb://h:1").database("db").collection("C").batchSize(5).clock(clock).build();

        DatalakeSettings copy = settings.toBuilder().build();

        assertThat(copy.mongoUri()).isEqualTo("mongodb://h:1");
        assertThat(copy.database()).isEqualTo("db");
        assertThat(copy.collection()).isEqualTo("C");
        assertThat(copy.batchSize()).isEqualTo(5);
        assertThat(copy.clock()).isSameAs(clock);
    }

    @Test
    void imageMetadataIsOnByDefaultAndItsSwitchSurvivesCopies() {
        assertThat(DatalakeSettings.builder().build().imageMetadata()).isTrue();

        DatalakeSettings off = DatalakeSettings.builder().imageMetadata(false).build();

        assertThat(off.imageMetadata()).isFalse();
        assertThat(off.toBuilder().build().imageMetadata()).isFalse();
        assertThat(off.toString()).contains("imageMetadata=false");
    }

    @Test
    void toStringNeverPrintsThePassword() {
        DatalakeSettings settings = DatalakeSettings.builder()
                .mongoUri("mongodb://alice:s3cr3t@db.example.com:27017/?authSource=admin").build();

        assertThat(settings.toString()).doesNotContain("s3cr3t").contains("alice:***@db.example.com");
        assertThat(DatalakeSettings.redact("mongodb+srv://bob:p%40ss@cluster0.example.net"))
                .isEqualTo("mongodb+srv://bob:***@cluster0.example.net");
    }

    @Test
    void allowedRegistriesAndTheOperationTimeoutSurviveCopiesAndPrintWithoutSecrets() {
        DatalakeSettings settings = DatalakeSettings.builder()
                .operationTimeout(java.time.Duration.ofSeconds(5))
                .registry(RegistrySettings.builder().allow("s3://bucket/p?secretAccessKey=hunter2").build())
                .build();
        DatalakeSettings copy = settings.toBuilder().build();

        assertThat(copy.operationTimeout()).isEqualTo(java.time.Duration.ofSeconds(5));
        assertThat(copy.registry().toBuilder().build().allowedRegistries())
                .containsExactly("s3://bucket/p?secretAccessKey=hunter2");
        assertThat(copy.toString()).doesNotContain("hunter2").contains("secretAccessKey=***")
                .contains("operationTimeout=PT5S");
    }

    @Test
    void invalidValuesAreRejectedNamingTheValue() {
        DatalakeSettings.Builder builder = DatalakeSettings.builder();

        assertThatThrownBy(() -> builder.mongoUri("postgres://user:pw@h")).isInstanceOf(InvalidArgumentException.class)
                .hasMessageContaining("postgres://user:***@h").hasMessageNotContaining(":pw@");
        assertThatThrownBy(() -> builder.database("a\0b")).isInstanceOf(InvalidArgumentException.class)
                .hasMessageContaining("a\\0b");
        assertThatThrownBy(() -> builder.database("a/b")).isInstanceOf(InvalidArgumentException.class)
                .hasMessageContaining("a/b");
        assertThatThrownBy(() -> builder.collection("$bad")).isInstanceOf(InvalidArgumentException.class)
                .hasMessageContaining("$bad");
        assertThatThrownBy(() -> builder.batchSize(0)).isInstanceOf(InvalidArgumentException.class)
                .hasMessageContaining("0");
    }

    @Test
    void nullClockOrRegistrySettingsAreInvalidArgumentsNamingTheSetting() {
        assertThatThrownBy(() -> DatalakeSettings.builder().clock(null))
                .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("clock");
        assertThatThrownBy(() -> DatalakeSettings.builder().registry(null))
                .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("registry");
    }
}
