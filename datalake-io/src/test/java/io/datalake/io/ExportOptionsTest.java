package io.datalake.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.datalake.InvalidArgumentException;
import org.junit.jupiter.api.Test;

class ExportOptionsTest {
    @Test
    void defaultsAreTheNamedConstants() {
        ExportOptions options = ExportOptions.defaults();
        assertThat(options.format()).isEqualTo(ExportFormat.JSONL);
        assertThat(options.batchSize()).isEqualTo(ExportOptions.DEFAULT_BATCH_SIZE);
        assertThat(options.payloadConcurrency()).isEqualTo(ExportOptions.DEFAULT_PAYLOAD_CONCURRENCY);
    }

    @Test
    void outOfRangeValuesAreRefusedNamingTheValue() {
        assertThatThrownBy(() -> ExportOptions.builder().batchSize(0)).isInstanceOf(InvalidArgumentException.class)
                .hasMessageContaining("batchSize").hasMessageContaining("0");
        assertThatThrownBy(() -> ExportOptions.builder().batchSize(ExportOptions.MAX_BATCH_SIZE + 1))
                .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("10001");
        assertThatThrownBy(() -> ExportOptions.builder().payloadConcurrency(0))
                .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("payloadConcurrency");
        assertThatThrownBy(() -> ExportOptions.builder().progress(null)).isInstanceOf(InvalidArgumentException.class);
        assertThatThrownBy(() -> Exporter.of(null)).isInstanceOf(InvalidArgumentException.class)
                .hasMessageContaining("lake");
    }
}
