package io.datalake.registry.file;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.datalake.Datalake;
import io.datalake.Datum;
import io.datalake.RegistryException;
import io.datalake.RegistrySettings;
import io.datalake.mongo.TestLakes;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.bson.Document;
import org.bson.types.ObjectId;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * A stored document's recorded payload size is untrusted: reading a payload never allocates from it. Runs in its
 * own JVM with a heap far smaller than the forged size (the {@code small-heap} execution of this module's pom), so
 * an allocation from the recorded size would throw {@link OutOfMemoryError}, which Reactor treats as fatal: the
 * read would never signal and the blocking call below would time out.
 */
class EmbeddedRecordedSizeHeapTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    /** Just under the largest array, and far above this JVM's heap. */
    private static final long FORGED_SIZE = Integer.MAX_VALUE - 16L;

    @TempDir
    Path dir;

    private Datalake lake;

    @AfterEach
    void close() {
        if (lake != null) {
            lake.close();
        }
    }

    @Test
    void aForgedHugeSizeIsATypedErrorNotAHang() {
        // Selected with -Dtest, it also runs in the default execution, whose heap could hold the forged size.
        assumeTrue(Runtime.getRuntime().maxMemory() < FORGED_SIZE, "runs in the small-heap execution");
        lake = TestLakes.newLake(s -> s.registry(RegistrySettings.builder().build()));
        byte[] bytes = "a small payload".getBytes(StandardCharsets.UTF_8);
        Datum real = lake.addDatum(bytes, null, dir.resolve("reg").toString(), null).block(TIMEOUT);

        // Another client copies the datum's document and claims its payload has 2 GB.
        var documents = TestLakes.documents(lake);
        Document stored = Mono.from(documents.find(new Document("_id", real.id())).first()).block(TIMEOUT);
        ObjectId forged = new ObjectId();
        stored.put("_id", forged);
        stored.get("payload", Document.class).put("size", FORGED_SIZE);
        Mono.from(documents.insertOne(stored)).block(TIMEOUT);

        assertThatThrownBy(() -> lake.getDatum(forged).block(TIMEOUT))
                .isInstanceOf(RegistryException.class)
                .hasMessageContaining(forged.toHexString())
                .hasMessageContaining(bytes.length + " bytes instead of " + FORGED_SIZE);
        assertThatThrownBy(() -> lake.getData(List.of(real.id(), forged)).collectList().block(TIMEOUT))
                .isInstanceOf(RegistryException.class)
                .hasMessageContaining(forged.toHexString());
        assertThatThrownBy(() -> Flux.from(lake.getPayload(forged)).then().block(TIMEOUT))
                .isInstanceOf(RegistryException.class);
        // The genuine datum still reads.
        assertThat((byte[]) lake.getDatum(real.id()).block(TIMEOUT).data()).isEqualTo(bytes);
    }
}
