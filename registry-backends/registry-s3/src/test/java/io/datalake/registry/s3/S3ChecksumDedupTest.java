package io.datalake.registry.s3;

import static org.assertj.core.api.Assertions.assertThat;

import io.datalake.registry.BlobSource;
import io.datalake.registry.BlobStat;
import io.datalake.registry.ContentAddressedRegistry;
import io.datalake.registry.StoredBlob;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.async.AsyncRequestBody;
import software.amazon.awssdk.core.async.AsyncResponseTransformer;
import software.amazon.awssdk.services.s3.S3AsyncClient;
import software.amazon.awssdk.services.s3.model.ChecksumAlgorithm;
import software.amazon.awssdk.services.s3.model.ChecksumMode;
import software.amazon.awssdk.services.s3.model.ChecksumType;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.HeadObjectRequest;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.PutObjectResponse;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * Deduplication on S3 follows the SHA-256 S3 keeps (s3proxy keeps none, so the conformance IT runs the fallback):
 * a client double answers HEAD with the checksum real S3 returns for a single-part upload made with SHA-256
 * checksums, or with the composite checksum of a multipart upload.
 */
class S3ChecksumDedupTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    private static final byte[] PAYLOAD = "payload".getBytes(StandardCharsets.UTF_8);
    private static final String SHA = ContentAddressedRegistry.sha256(BlobSource.ofBytes(PAYLOAD));

    /** A client whose HEAD answers a fixed response, whose PUTs succeed and whose GETs fail, all recorded. */
    static final class ChecksumClient implements S3AsyncClient {
        final HeadObjectResponse head;
        final List<HeadObjectRequest> heads = new CopyOnWriteArrayList<>();
        final List<PutObjectRequest> puts = new CopyOnWriteArrayList<>();
        final List<GetObjectRequest> gets = new CopyOnWriteArrayList<>();
        volatile boolean missing;

        ChecksumClient(HeadObjectResponse head) {
            this.head = head;
        }

        @Override
        public CompletableFuture<HeadObjectResponse> headObject(HeadObjectRequest request) {
            heads.add(request);
            return missing
                    ? CompletableFuture.failedFuture(S3Exception.builder().statusCode(404).message("missing").build())
                    : CompletableFuture.completedFuture(head);
        }

        @Override
        public CompletableFuture<PutObjectResponse> putObject(PutObjectRequest request, AsyncRequestBody body) {
            puts.add(request);
            return CompletableFuture.completedFuture(PutObjectResponse.builder().build());
        }

        @Override
        public <T> CompletableFuture<T> getObject(GetObjectRequest request,
                AsyncResponseTransformer<GetObjectResponse, T> transformer) {
            gets.add(request);
            return CompletableFuture.failedFuture(S3Exception.builder().statusCode(500).message("unavailable").build());
        }

        @Override
        public String serviceName() {
            return "s3";
        }

        @Override
        public void close() {
        }
    }

    private static String base64(String hex) {
        return Base64.getEncoder().encodeToString(HexFormat.of().parseHex(hex));
    }

    private static StoredBlob put(ChecksumClient client) {
        return new ContentAddressedRegistry(S3RegistryBackend.create(client, "s3://bucket/prefix"))
                .put(BlobSource.ofBytes(PAYLOAD)).block(TIMEOUT);
    }

    @Test
    void aMatchingStoreKeptSha256IsTrustedWithoutReadingTheObject() {
        ChecksumClient client = new ChecksumClient(HeadObjectResponse.builder().contentLength((long) PAYLOAD.length)
                .checksumSHA256(base64(SHA)).checksumType(ChecksumType.FULL_OBJECT).build());

        assertThat(put(client).uploaded()).isFalse();
        assertThat(client.gets).isEmpty();
        assertThat(client.puts).isEmpty();
        assertThat(client.heads).extracting(HeadObjectRequest::checksumMode).containsOnly(ChecksumMode.ENABLED);
        assertThat(S3RegistryBackend.create(client, "s3://bucket/prefix").stat("k").block(TIMEOUT))
                .isEqualTo(new BlobStat(PAYLOAD.length, SHA, null));
    }

    @Test
    void aDifferentStoreKeptSha256MeansTheObjectIsReplacedWithAChecksummedUpload() {
        ChecksumClient client = new ChecksumClient(HeadObjectResponse.builder().contentLength((long) PAYLOAD.length)
                .checksumSHA256(base64("00".repeat(32))).checksumType(ChecksumType.FULL_OBJECT).build());

        assertThat(put(client).uploaded()).isTrue();
        assertThat(client.gets).isEmpty();
        assertThat(client.puts).singleElement()
                .satisfies(p -> assertThat(p.checksumAlgorithm()).isEqualTo(ChecksumAlgorithm.SHA256));
    }

    @Test
    void theCompositeChecksumOfAMultipartUploadIsNotTakenForTheObjectsHash() {
        ChecksumClient client = new ChecksumClient(HeadObjectResponse.builder().contentLength((long) PAYLOAD.length)
                .checksumSHA256(base64(SHA) + "-3").checksumType(ChecksumType.COMPOSITE).build());

        assertThat(S3RegistryBackend.create(client, "s3://bucket/prefix").stat("k").block(TIMEOUT))
                .isEqualTo(BlobStat.ofSize(PAYLOAD.length));
        // No usable checksum: the object is read back to verify it; this one cannot be read, so it is replaced.
        assertThat(put(client).uploaded()).isTrue();
        assertThat(client.gets).hasSize(1);
        assertThat(client.puts).hasSize(1);
    }
    @Test
    void aSinglePartUploadCarriesTheKeysHashForS3ToCheck() {
        ChecksumClient client = new ChecksumClient(HeadObjectResponse.builder().build());
        client.missing = true;
        S3RegistryBackend backend = new S3RegistryBackend(client, client, 1024, List.of(),
                S3Location.parse(java.net.URI.create("s3://bucket/prefix")));

        assertThat(new ContentAddressedRegistry(backend).put(BlobSource.ofBytes(PAYLOAD)).block(TIMEOUT).uploaded())
                .isTrue();
        assertThat(client.puts).singleElement().satisfies(p -> {
            assertThat(p.checksumSHA256()).isEqualTo(base64(SHA));
            assertThat(p.checksumAlgorithm()).isEqualTo(ChecksumAlgorithm.SHA256);
        });
    }
}
