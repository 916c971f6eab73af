package io.datalake.registry.s3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.datalake.RegistryException;
import io.datalake.registry.BlobChangedException;
import java.io.IOException;
import java.lang.reflect.Proxy;
import java.net.ConnectException;
import java.nio.file.AccessDeniedException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.core.exception.ApiCallTimeoutException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.s3.S3AsyncClient;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * Unit tests, no server: which S3 failures a retry may get past. A client that fails every call stands in for S3,
 * so the backend's own mapping is what is tested.
 */
class S3FailureClassificationTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private static S3Exception status(int status, String code) {
        return (S3Exception) S3Exception.builder().statusCode(status).message(code)
                .awsErrorDetails(AwsErrorDetails.builder().errorCode(code).errorMessage(code).build()).build();
    }

    /** A backend whose client fails every call with this error, as the SDK does once its retries are spent. */
    private static S3RegistryBackend failingWith(Throwable error) {
        S3AsyncClient client = (S3AsyncClient) Proxy.newProxyInstance(S3AsyncClient.class.getClassLoader(),
                new Class<?>[] {S3AsyncClient.class}, (proxy, method, args) -> switch (method.getName()) {
                    case "close" -> null;
                    case "serviceName" -> "s3";
                    case "toString" -> "failing S3 client";
                    case "hashCode" -> System.identityHashCode(proxy);
                    case "equals" -> proxy == args[0];
                    default -> CompletableFuture.failedFuture(error);
                });
        return S3RegistryBackend.create(client, "s3://lake/tests");
    }

    private static RegistryException existsFailure(Throwable error) {
        try (S3RegistryBackend backend = failingWith(error)) {
            Throwable thrown = catchThrowable(() -> backend.exists("ab/key").block(TIMEOUT));
            assertThat(thrown).isInstanceOf(RegistryException.class).hasMessageContaining("s3://lake/tests");
            return (RegistryException) thrown;
        }
    }

    @Test
    void throttlingAndServerErrorsAreTransient() {
        assertThat(existsFailure(status(503, "SlowDown")).isTransient()).isTrue();
        assertThat(existsFailure(status(429, "TooManyRequests")).isTransient()).isTrue();
        assertThat(existsFailure(status(500, "InternalError")).isTransient()).isTrue();
    }

    @Test
    void connectionFailuresAndTimeoutsAreTransient() {
        assertThat(existsFailure(SdkClientException.create("Unable to execute HTTP request",
                new ConnectException("Connection refused"))).isTransient()).isTrue();
        assertThat(existsFailure(ApiCallTimeoutException.create(1000)).isTransient()).isTrue();
        assertThat(existsFailure(new IOException("Connection reset by peer")).isTransient()).isTrue();
    }

    @Test
    void refusalsAndMissingObjectsArePermanent() {
        assertThat(existsFailure(status(403, "AccessDenied")).isTransient()).isFalse();
        assertThat(existsFailure(status(400, "InvalidRequest")).isTransient()).isFalse();
        assertThat(existsFailure(SdkClientException.create("Unable to load credentials")).isTransient()).isFalse();
        try (S3RegistryBackend backend = failingWith(NoSuchKeyException.builder().statusCode(404).build())) {
            assertThatThrownBy(() -> backend.get("ab/key").blockLast(TIMEOUT))
                    .isInstanceOfSatisfying(RegistryException.class, e -> assertThat(e.isTransient()).isFalse())
                    .hasMessageContaining("no payload");
        }
    }

    @Test
    void aSourceThatChangedOrCannotBeReadIsPermanentThoughAnIoException() {
        assertThat(S3RegistryBackend.isTransient(SdkClientException.create("upload failed",
                new BlobChangedException("file /data/a changed")))).isFalse();
        assertThat(S3RegistryBackend.isTransient(new IOException("read failed",
                new AccessDeniedException("/data/a")))).isFalse();
    }
}
