package io.datalake.mongo.internal.dataset;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;

/** Temporary partition files live in an owner-only directory that is gone when the work ends, fails or is cancelled. */
class PartitionsTempDirTest {
    private static void write(Path dir) {
        try {
            Files.writeString(dir.resolve("rows-0"), "x");
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void theDirectoryIsOwnerOnlyAndDeletedOnCompletionErrorAndCancel() {
        AtomicReference<Path> seen = new AtomicReference<>();
        AtomicReference<String> permissions = new AtomicReference<>();
        Partitions.withTempDir("datalake-test", dir -> {
            seen.set(dir);
            try {
                permissions.set(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir)));
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            return Flux.just(1);
        }).blockLast();
        assertThat(permissions.get()).isEqualTo("rwx------");
        assertThat(seen.get()).doesNotExist();

        assertThatThrownBy(() -> Partitions.withTempDir("datalake-test", dir -> {
            seen.set(dir);
            write(dir);
            return Flux.error(new IllegalStateException("failed"));
        }).blockLast()).hasMessageContaining("failed");
        assertThat(seen.get()).doesNotExist();

        Disposable running = Partitions.withTempDir("datalake-test", dir -> {
            seen.set(dir);
            write(dir);
            return Flux.never();
        }).subscribe();
        assertThat(seen.get()).exists();
        running.dispose();
        assertThat(seen.get()).doesNotExist();
    }
}
