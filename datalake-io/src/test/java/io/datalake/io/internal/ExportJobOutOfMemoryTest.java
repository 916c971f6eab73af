package io.datalake.io.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.datalake.Datalake;
import io.datalake.DatalakeException;
import io.datalake.Datum;
import io.datalake.io.ExportOptions;
import io.datalake.query.Query;
import io.datalake.query.QueryOptions;
import java.lang.reflect.Proxy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.bson.Document;
import org.bson.types.ObjectId;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A writer that runs out of heap fails its export: Reactor rethrows an {@link OutOfMemoryError} on its worker thread
 * instead of signalling it, so without the export's own handling the caller (the command line) would wait for ever.
 */
class ExportJobOutOfMemoryTest {
    @TempDir
    Path temp;

    @Test
    void aWriterOutOfHeapFailsTheExportNamingItAndLeavesNoFolder() throws Exception {
        Datalake lake = (Datalake) Proxy.newProxyInstance(Datalake.class.getClassLoader(),
                new Class<?>[] {Datalake.class}, (proxy, method, args) -> {
                    throw new AssertionError("unexpected call " + method.getName());
                });
        Query query = Query.builder().base("row", new Document("metadata.kind", "row")).build();
        Path target = temp.resolve("out");
        ExportJob job = new ExportJob(lake, RowSource.query(lake, query, QueryOptions.defaults()), target,
                ExportOptions.builder().build(), new OutOfHeapWriter());

        assertThatThrownBy(() -> job.run().block(Duration.ofSeconds(30)))
                .isInstanceOf(DatalakeException.class)
                .hasMessageContaining("ran out of memory")
                .hasMessageContaining(target.toString())
                .hasCauseInstanceOf(OutOfMemoryError.class);
        try (Stream<Path> left = Files.list(temp)) {
            assertThat(left).isEmpty();
        }
    }

    /** Fails as a Parquet writer does when its row group does not fit in the heap. */
    private static final class OutOfHeapWriter implements FormatWriter {
        @Override
        public @Nullable PayloadLayout payloadLayout() {
            return null;
        }

        @Override
        public String manifestFormat() {
            return "test";
        }

        @Override
        public void open(Workspace workspace, RowSource.Opened source) {
            throw new OutOfMemoryError("Java heap space (simulated)");
        }

        @Override
        public void write(List<RowSource.NumberedRow> batch, Map<ObjectId, Datum> datums,
                Map<ObjectId, String> payloads) {
            throw new AssertionError("no rows expected");
        }

        @Override
        public Document finish(Workspace workspace, long rows) {
            throw new AssertionError("not expected");
        }

        @Override
        public void abort() {
            // Nothing open.
        }
    }
}
