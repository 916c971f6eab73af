package io.datalake.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.datalake.BlockingDatalake;
import io.datalake.DatalakeSettings;
import io.datalake.Datum;
import io.datalake.DatumValidationException;
import io.datalake.InvalidArgumentException;
import io.datalake.NewDatum;
import io.datalake.PayloadInfo;
import io.datalake.mongo.Datalakes;
import io.datalake.mongo.TestLakes;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The library records a byte payload's media type, detected from its first bytes or given, and still returns bytes. */
class EmbeddedPayloadContentTypeTest {
    @TempDir
    Path temp;

    private BlockingDatalake lake;
    private String registry;

    @BeforeEach
    void open() {
        registry = temp.resolve("reg").toString();
        lake = Datalakes.create(DatalakeSettings.builder().mongoUri(TestLakes.connectionString())
                .database("content_types_" + System.nanoTime()).build()).blocking();
    }

    @AfterEach
    void close() {
        lake.close();
    }

    private Datum add(Object data, String contentType) {
        return lake.addDatum(NewDatum.builder().data(data).registryUri(registry).contentType(contentType).build());
    }

    @Test
    void everyKindOfBytePayloadGetsItsDetectedType() throws IOException {
        byte[] png = Images.png();
        byte[] jpeg = Images.jpeg();
        Path file = Files.write(temp.resolve("image.bin"), jpeg);

        assertThat(add(png, null).payload().contentType()).isEqualTo("image/png");
        assertThat(add(ByteBuffer.wrap(jpeg), null).payload().contentType()).isEqualTo("image/jpeg");
        assertThat(add(file, null).payload().contentType()).isEqualTo("image/jpeg");
        assertThat(add(file.toFile(), null).payload().contentType()).isEqualTo("image/jpeg");
        Datum streamed = add(new ByteArrayInputStream(png), null);
        assertThat(streamed.payload().contentType()).isEqualTo("image/png");
        assertThat(streamed.payload().size()).as("the head read for detection is stored too").isEqualTo(png.length);
        assertThat((byte[]) lake.getDatum(streamed.id()).data()).isEqualTo(png);
        assertThat(add(new byte[] {0, 1, 2, 3}, null).payload().contentType()).isEqualTo(PayloadInfo.BYTES);
    }

    @Test
    void aGivenTypeWinsAndEveryByteTypeReadsBackAsBytes() throws IOException {
        byte[] json = "{\"a\": 1}".getBytes();
        Datum labelled = add(json, "text/x-notes");
        assertThat(labelled.payload().contentType()).isEqualTo("text/x-notes");
        assertThat((byte[]) lake.getDatum(labelled.id()).data()).isEqualTo(json);

        Datum detected = add(json, null);
        assertThat(detected.payload().contentType()).isNotIn(PayloadInfo.JSON, PayloadInfo.BSON);
        assertThat((byte[]) lake.getDatum(detected.id()).data()).isEqualTo(json);
    }

    @Test
    void valuesTheLakeEncodesKeepTheirTypesAndRefuseAnOverride() {
        assertThat(add(Map.of("a", 1), null).payload().contentType()).isEqualTo(PayloadInfo.JSON);
        assertThatThrownBy(() -> add(Map.of("a", 1), "image/png")).isInstanceOf(DatumValidationException.class)
                .hasMessageContaining("byte payloads");
        assertThatThrownBy(() -> NewDatum.builder().contentType("application/json"))
                .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("reserved");
        assertThatThrownBy(() -> NewDatum.builder().contentType("png"))
                .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("not a media type");
    }
}
