package io.datalake.registry.s3;

import static org.assertj.core.api.Assertions.assertThat;

import io.datalake.registry.BlobSource;
import io.datalake.registry.ContentAddressedRegistry;
import io.datalake.registry.StoredBlob;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.async.AsyncRequestBody;
import software.amazon.awssdk.services.s3.S3AsyncClient;
import software.amazon.awssdk.services.s3.model.HeadObjectRequest;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.PutObjectResponse;
import software.amazon.awssdk.services.s3.model.S3Exception;

/** An upload must not fail on a HEAD the bucket policy forbids (no s3:ListBucket makes S3 answer 403). */
class S3ForbiddenHeadTest {

    /** A client whose HEADs are all refused with 403 and whose PUTs succeed and are recorded. */
    static final class ForbiddenHeadClient implements S3AsyncClient {
        final List<String> puts = new CopyOnWriteArrayList<>();

        @Override
        public CompletableFuture<HeadObjectResponse> headObject(HeadObjectRequest request) {
            return CompletableFuture.failedFuture(S3Exception.builder().statusCode(403).message("Access Denied")
                    .build());
        }

        @Override
        public CompletableFuture<PutObjectResponse> putObject(PutObjectRequest request, AsyncRequestBody body) {
            puts.add(request.key());
            return CompletableFuture.completedFuture(PutObjectResponse.builder().build());
        }

        @Override
        public String serviceName() {
            return "s3";
        }

        @Override
        public void close() {
        }
    }

    @Test
    void aForbiddenHeadMeansUnknownAndTheUploadGoesAhead() {
        ForbiddenHeadClient client = new ForbiddenHeadClient();
        S3RegistryBackend backend = S3RegistryBackend.create(client, "s3://bucket/prefix");

        assertThat(backend.size("ab/cd/key").blockOptional(Duration.ofSeconds(10))).isEmpty();
        StoredBlob stored = new ContentAddressedRegistry(backend)
                .put(BlobSource.ofBytes("payload".getBytes(StandardCharsets.UTF_8))).block(Duration.ofSeconds(10));

        assertThat(stored.uploaded()).isTrue();
        assertThat(client.puts).containsExactly("prefix/" + stored.key());
    }
}
