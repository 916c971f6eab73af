package io.datalake.io.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.datalake.Datalake;
import io.datalake.io.ExportOptions;
import io.datalake.io.ExportTargetExistsException;
import io.datalake.query.Query;
import io.datalake.query.QueryOptions;
import java.lang.reflect.Proxy;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.bson.Document;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** How the failures of an export's final rename reach the caller. */
class ExportJobFailureTest {
    @TempDir
    Path temp;

    private ExportJob job(Path target) {
        // Never called: only the failure mapping is exercised.
        Datalake lake = (Datalake) Proxy.newProxyInstance(Datalake.class.getClassLoader(),
                new Class<?>[] {Datalake.class}, (proxy, method, args) -> {
                    throw new AssertionError("unexpected call " + method.getName());
                });
        Query query = Query.builder().base("row", new Document("metadata.kind", "row")).build();
        return new ExportJob(lake, RowSource.query(lake, query, QueryOptions.defaults()), target,
                ExportOptions.builder().build());
    }

    @Test
    void aTargetCreatedBetweenTheCheckAndTheRenameIsATargetThatExists() throws Exception {
        // What Files.move(partial, target, ATOMIC_MOVE) throws on Linux when another export renamed its folder to
        // the target first: rename(2) fails with ENOTEMPTY, reported on both paths.
        Path target = temp.resolve("out");
        Files.createDirectories(target.resolve("data"));
        Path partial = temp.resolve("out.partial-123");
        Throwable mapped = job(target).ioFailure(new FileSystemException(partial.toString(), target.toString(),
                "Directory not empty"));
        assertThat(mapped).isInstanceOf(ExportTargetExistsException.class);
        assertThat(((ExportTargetExistsException) mapped).target()).isEqualTo(target);

        // A failure on another path, or with the target absent, stays a plain failure naming its cause.
        Path absent = temp.resolve("absent");
        assertThat(job(absent).ioFailure(new FileSystemException(partial.toString(), absent.toString(),
                "Directory not empty"))).isNotInstanceOf(ExportTargetExistsException.class);
        assertThat(job(target).ioFailure(new DirectoryNotEmptyException(partial.toString())))
                .isNotInstanceOf(ExportTargetExistsException.class).hasMessageContaining(partial.toString());
    }
}
