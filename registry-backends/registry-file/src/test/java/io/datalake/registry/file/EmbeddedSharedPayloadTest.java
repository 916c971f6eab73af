package io.datalake.registry.file;

import static org.assertj.core.api.Assertions.assertThat;

import io.datalake.BlockingDatalake;
import io.datalake.Datalake;
import io.datalake.Datum;
import io.datalake.PayloadInfo;
import io.datalake.RegistrySettings;
import io.datalake.mongo.TestLakes;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Datums whose payloads are the same bytes share one stored object; one read of several of them still gives each
 * datum its own value, decoded by its own content type.
 */
class EmbeddedSharedPayloadTest {
    @TempDir
    Path dir;

    private Datalake lake;

    @AfterEach
    void close() {
        lake.close();
    }

    private BlockingDatalake lake() {
        lake = TestLakes.newLake(s -> s.registry(RegistrySettings.builder().build()));
        return lake.blocking();
    }

    @Test
    void identicalBytesStoredAsBytesAndAsJsonReadBackAsTheirOwnTypesInOneGetData() {
        BlockingDatalake lake = lake();
        String registry = dir.resolve("reg").toString();
        // The JSON encoding of the list [1, 2] is exactly these bytes: both payloads have one key.
        byte[] bytes = "[1,2]".getBytes(StandardCharsets.UTF_8);
        Datum raw = lake.addDatum(bytes, null, registry, null);
        Datum json = lake.addDatum(List.of(1, 2), null, registry, null);
        assertThat(json.registryKey()).isEqualTo(raw.registryKey());
        assertThat(json.payload().contentType()).isEqualTo(PayloadInfo.JSON);

        List<Datum> read = lake.getData(List.of(raw.id(), json.id()));
        assertThat(read.get(0).data()).isEqualTo(bytes);
        assertThat(read.get(1).data()).isEqualTo(List.of(1, 2));

        List<Datum> reversed = lake.getData(List.of(json.id(), raw.id()));
        assertThat(reversed.get(0).data()).isEqualTo(List.of(1, 2));
        assertThat(reversed.get(1).data()).isEqualTo(bytes);
    }

    @Test
    void datumsSharingBytesNeverShareOneArray() {
        BlockingDatalake lake = lake();
        String registry = dir.resolve("reg").toString();
        byte[] bytes = "same bytes".getBytes(StandardCharsets.UTF_8);
        Datum first = lake.addDatum(bytes, Map.of("n", 1), registry, null);
        Datum second = lake.addDatum(bytes, Map.of("n", 2), registry, null);
        Datum third = lake.addDatum(bytes, Map.of("n", 3), "file://" + dir.resolve("reg"), null);

        List<Datum> read = lake.getData(List.of(first.id(), second.id(), third.id()));
        byte[] a = (byte[]) read.get(0).data();
        byte[] b = (byte[]) read.get(1).data();
        byte[] c = (byte[]) read.get(2).data();
        assertThat(a).isEqualTo(bytes).isNotSameAs(b).isNotSameAs(c);
        assertThat(b).isEqualTo(bytes).isNotSameAs(c);
        a[0] = 'X';
        assertThat(b).isEqualTo(bytes);
        assertThat(c).isEqualTo(bytes);
    }
}
