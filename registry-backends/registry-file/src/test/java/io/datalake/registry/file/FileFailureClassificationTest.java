package io.datalake.registry.file;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.datalake.RegistryException;
import io.datalake.registry.BlobChangedException;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Unit tests on a temporary directory: which file-system failures a retry may get past. */
class FileFailureClassificationTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    @TempDir
    Path tempDir;

    @Test
    void timeoutsNetworkFailuresAndTemporaryErrorsAreTransient() {
        assertThat(FileRegistryBackend.isTransient(new SocketTimeoutException("Read timed out"))).isTrue();
        assertThat(FileRegistryBackend.isTransient(new FileSystemException("/mnt/nfs/ab/key", null,
                "Stale file handle"))).isTrue();
        assertThat(FileRegistryBackend.isTransient(new FileSystemException("/mnt/nfs/ab/key", null,
                "Resource temporarily unavailable"))).isTrue();
        assertThat(FileRegistryBackend.isTransient(new IOException("write failed",
                new SocketTimeoutException("timed out")))).isTrue();
    }

    @Test
    void missingDeniedConflictingAndChangedArePermanent() {
        assertThat(FileRegistryBackend.isTransient(new NoSuchFileException("/r/ab/key"))).isFalse();
        assertThat(FileRegistryBackend.isTransient(new AccessDeniedException("/r/ab/key"))).isFalse();
        assertThat(FileRegistryBackend.isTransient(new FileAlreadyExistsException("/r/ab"))).isFalse();
        assertThat(FileRegistryBackend.isTransient(new FileSystemException("/r/ab/key"))).isFalse();
        assertThat(FileRegistryBackend.isTransient(new BlobChangedException("file /data/a changed"))).isFalse();
        assertThat(FileRegistryBackend.isTransient(new IOException("No space left on device"))).isFalse();
    }

    @Test
    void aMissingPayloadIsAPermanentRegistryFailure() {
        try (FileRegistryBackend backend = FileRegistryBackend.open(tempDir.resolve("registry"))) {
            assertThatThrownBy(() -> backend.get("ab/missing").blockLast(TIMEOUT))
                    .isInstanceOfSatisfying(RegistryException.class, e -> assertThat(e.isTransient()).isFalse())
                    .hasMessageContaining("ab/missing");
        }
    }
}
