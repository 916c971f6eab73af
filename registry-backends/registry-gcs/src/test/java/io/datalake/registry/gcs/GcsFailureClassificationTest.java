package io.datalake.registry.gcs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.google.cloud.storage.Storage;
import com.google.cloud.storage.StorageException;
import io.datalake.RegistryException;
import io.datalake.registry.BlobChangedException;
import java.io.IOException;
import java.lang.reflect.Proxy;
import java.net.SocketTimeoutException;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * Unit tests, no server: which GCS failures a retry may get past. A {@link Storage} that fails every call stands
 * in for GCS, so the backend's own mapping is what is tested.
 */
class GcsFailureClassificationTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    /** A backend whose client fails every call with this error, as the client does once its retries are spent. */
    private static GcsRegistryBackend failingWith(RuntimeException error) {
        Storage storage = (Storage) Proxy.newProxyInstance(Storage.class.getClassLoader(),
                new Class<?>[] {Storage.class}, (proxy, method, args) -> switch (method.getName()) {
                    case "close" -> null;
                    case "toString" -> "failing storage";
                    case "hashCode" -> System.identityHashCode(proxy);
                    case "equals" -> proxy == args[0];
                    default -> throw error;
                });
        return GcsRegistryBackend.create(storage, "gs://lake-bucket/tests/");
    }

    private static RegistryException statFailure(RuntimeException error) {
        try (GcsRegistryBackend backend = failingWith(error)) {
            Throwable thrown = catchThrowable(() -> backend.stat("ab/key").block(TIMEOUT));
            assertThat(thrown).isInstanceOf(RegistryException.class).hasMessageContaining("gs://lake-bucket/tests");
            return (RegistryException) thrown;
        }
    }

    @Test
    void throttlingServerErrorsAndTimeoutsAreTransient() {
        assertThat(statFailure(new StorageException(429, "rateLimitExceeded")).isTransient()).isTrue();
        assertThat(statFailure(new StorageException(503, "backendError")).isTransient()).isTrue();
        assertThat(statFailure(new StorageException(500, "internalError")).isTransient()).isTrue();
        assertThat(statFailure(new StorageException(new SocketTimeoutException("Read timed out"))).isTransient())
                .isTrue();
    }

    @Test
    void refusalsArePermanent() {
        assertThat(statFailure(new StorageException(403, "forbidden")).isTransient()).isFalse();
        assertThat(statFailure(new StorageException(400, "invalid")).isTransient()).isFalse();
    }

    @Test
    void aSourceThatChangedIsPermanentThoughAnIoException() {
        assertThat(GcsRegistryBackend.isTransient(new IOException("upload failed",
                new BlobChangedException("file /data/a changed")))).isFalse();
        assertThat(GcsRegistryBackend.isTransient(new IOException("upload failed",
                new SocketTimeoutException("Read timed out")))).isTrue();
    }
}
