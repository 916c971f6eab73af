package io.datalake.benchmarks;

import io.datalake.RegistrySettings;
import io.datalake.registry.BlobSource;
import io.datalake.registry.ContentAddressedRegistry;
import io.datalake.registry.Registries;
import io.datalake.registry.RegistryBackend;
import io.datalake.registry.StoredBlob;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.gaul.s3proxy.S3Proxy;
import org.gaul.s3proxy.auth.AuthenticationType;
import org.gaul.s3proxy.blobstore.BlobStore;
import org.gaul.s3proxy.nio2blob.TransientNio2BlobStore;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.async.AsyncRequestBody;
import software.amazon.awssdk.core.async.AsyncResponseTransformer;
import software.amazon.awssdk.http.nio.netty.NettyNioAsyncHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3AsyncClient;

/**
 * Scenario 8: payloads put then got through the content-addressed registry (hash, existence check, durable
 * write; verified read) on the file backend vs bare {@code Files.write}/{@code readAllBytes} of the same bytes,
 * and on the S3 backend through an in-process s3proxy vs the bare AWS SDK, with the same number of payloads in
 * flight on both sides. Every run writes into a fresh directory or bucket. It also measures what verified
 * deduplication costs: putting payloads that are already stored (each existing object is verified before it is
 * reused) against putting them into an empty registry.
 */
final class RegistryScenario {
    private static final String ACCESS_KEY = "benchmark-access-key";
    private static final String SECRET_KEY = "benchmark-secret-key";
    private static final AtomicInteger BUCKETS = new AtomicInteger();

    private RegistryScenario() {
    }

    static ScenarioResult run(BenchmarkRun.Context context) throws Exception {
        BenchmarkOptions options = context.options();
        int count = options.payloads();
        int size = options.payloadBytes();
        int concurrency = options.registryConcurrency();
        List<byte[]> payloads = new ArrayList<>(count);
        Random random = new Random(options.seed());
        for (int i = 0; i < count; i++) {
            byte[] bytes = new byte[size];
            random.nextBytes(bytes);
            payloads.add(bytes);
        }
        long bytes = (long) count * size;

        BlobStore store = new TransientNio2BlobStore();
        S3Proxy proxy = S3Proxy.builder()
                .blobStore(store)
                .endpoint(URI.create("http://127.0.0.1:0"))
                .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, ACCESS_KEY, SECRET_KEY)
                .ignoreUnknownHeaders(true)
                .build();
        proxy.start();
        String endpoint = "http://127.0.0.1:" + proxy.getPort();
        Registries registries = new Registries(RegistrySettings.builder()
                .property("s3.endpoint", endpoint)
                .property("s3.pathStyle", "true")
                .property("s3.region", "us-east-1")
                .property("s3.accessKeyId", ACCESS_KEY)
                .property("s3.secretAccessKey", SECRET_KEY)
                .build());
        // The bare SDK client is configured as the S3 backend configures its own (default Netty client).
        S3AsyncClient raw = S3AsyncClient.builder()
                .httpClient(NettyNioAsyncHttpClient.builder().build())
                .region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(ACCESS_KEY, SECRET_KEY)))
                .forcePathStyle(true)
                .endpointOverride(URI.create(endpoint))
                .build();
        try {
            String fileOurs = "file registry put + get, " + count + " payloads";
            String fileRaw = "raw Files.write + readAllBytes, " + count + " payloads";
            String s3Ours = "S3 registry put + get, " + count + " payloads";
            String s3Raw = "raw AWS SDK putObject + getObject, " + count + " payloads";
            String fileFresh = "file registry put into an empty registry, " + count + " payloads";
            String fileReAdd = "file registry re-add of existing content (verified by reading it), " + count
                    + " payloads";
            String s3Fresh = "S3 registry put into an empty bucket, " + count + " payloads";
            String s3ReAdd = "S3 registry re-add of existing content (verified by reading it), " + count
                    + " payloads";
            Map<String, Stats> stats = Interleaved.run(List.of(
                    directoryTrial(fileOurs, dir -> {
                        ContentAddressedRegistry registry = new ContentAddressedRegistry(
                                registries.resolve(dir.toAbsolutePath().toString()));
                        putThenGet(registry, payloads, concurrency);
                    }),
                    directoryTrial(fileRaw, dir -> rawFiles(dir, payloads, concurrency)),
                    bucketTrial(s3Ours, store, bucket -> {
                        RegistryBackend backend = registries.resolve("s3://" + bucket + "/payloads");
                        putThenGet(new ContentAddressedRegistry(backend), payloads, concurrency);
                    }),
                    bucketTrial(s3Raw, store, bucket -> rawS3(raw, bucket, payloads, concurrency)),
                    directoryTrial(fileFresh, dir -> { }, dir -> put(fileRegistry(registries, dir), payloads,
                            concurrency, true)),
                    directoryTrial(fileReAdd, dir -> put(fileRegistry(registries, dir), payloads, concurrency, true),
                            dir -> put(fileRegistry(registries, dir), payloads, concurrency, false)),
                    bucketTrial(s3Fresh, store, bucket -> { }, bucket -> put(s3Registry(registries, bucket),
                            payloads, concurrency, true)),
                    bucketTrial(s3ReAdd, store, bucket -> put(s3Registry(registries, bucket), payloads, concurrency,
                            true), bucket -> put(s3Registry(registries, bucket), payloads, concurrency, false))),
                    context);

            ScenarioResult result = new ScenarioResult(8, "Registries");
            result.setup.add(count + " distinct random payloads of " + size + " bytes, " + concurrency
                    + " in flight on every side; each run puts all of them, then gets all of them");
            result.setup.add("Registry side: ContentAddressedRegistry over the backend that Registries resolves "
                    + "(SHA-256 key, existence check, atomic durable write; read verified against the hash)");
            result.setup.add("File baseline: Files.write then Files.readAllBytes, one file per payload (no fsync)");
            result.setup.add("S3: in-process s3proxy (in-memory store) on 127.0.0.1 over HTTP; baseline: bare "
                    + "S3AsyncClient putObject/getObject with the same client settings");
            result.timed(stats, fileOurs, bytes / (1024.0 * 1024), "MiB");
            result.timed(stats, fileRaw, bytes / (1024.0 * 1024), "MiB");
            result.timed(stats, s3Ours, bytes / (1024.0 * 1024), "MiB");
            result.timed(stats, s3Raw, bytes / (1024.0 * 1024), "MiB");
            result.setup.add("Re-add: the same payloads put again into a registry that holds them; neither the "
                    + "file store nor s3proxy keeps a checksum, so each existing object is read back and hashed "
                    + "before it is reused (real S3 answers with the SHA-256 it keeps, real GCS with its CRC32C: "
                    + "one metadata lookup, no read)");
            result.timed(stats, fileFresh, bytes / (1024.0 * 1024), "MiB");
            result.timed(stats, fileReAdd, bytes / (1024.0 * 1024), "MiB");
            result.timed(stats, s3Fresh, bytes / (1024.0 * 1024), "MiB");
            result.timed(stats, s3ReAdd, bytes / (1024.0 * 1024), "MiB");
            result.checks.add(Check.atMost("file registry re-add (verified) time / fresh put time",
                    Stats.in(stats, fileReAdd), Stats.in(stats, fileFresh), 2.0));
            result.checks.add(Check.atMost("S3 registry re-add (verified) time / fresh put time",
                    Stats.in(stats, s3ReAdd), Stats.in(stats, s3Fresh), 2.0));
            result.checks.add(Check.atLeast("file registry throughput / raw file I/O throughput",
                    Stats.in(stats, fileRaw), Stats.in(stats, fileOurs), 0.7));
            result.checks.add(Check.atLeast("S3 registry throughput / raw AWS SDK throughput",
                    Stats.in(stats, s3Raw), Stats.in(stats, s3Ours), 0.8));
            return result;
        } finally {
            try {
                raw.close();
                registries.close();
            } finally {
                proxy.stop();
            }
        }
    }

    private static void putThenGet(ContentAddressedRegistry registry, List<byte[]> payloads, int concurrency) {
        List<StoredBlob> stored = Flux.fromIterable(payloads)
                .flatMapSequential(bytes -> registry.put(BlobSource.ofBytes(bytes)), concurrency)
                .collectList()
                .blockOptional().orElseThrow();
        long read = Flux.fromIterable(stored)
                .flatMap(blob -> registry.getBytes(blob.key(), blob.sha256(), blob.size()), concurrency)
                .map(bytes -> (long) bytes.length)
                .reduce(0L, Long::sum)
                .blockOptional().orElseThrow();
        expectBytes(read, payloads);
    }

    private static ContentAddressedRegistry fileRegistry(Registries registries, Path dir) {
        return new ContentAddressedRegistry(registries.resolve(dir.toAbsolutePath().toString()));
    }

    private static ContentAddressedRegistry s3Registry(Registries registries, String bucket) {
        return new ContentAddressedRegistry(registries.resolve("s3://" + bucket + "/payloads"));
    }

    /** Puts every payload; {@code fresh} tells whether each must be uploaded or found and reused. */
    private static void put(ContentAddressedRegistry registry, List<byte[]> payloads, int concurrency,
            boolean fresh) {
        long mismatched = Flux.fromIterable(payloads)
                .flatMap(bytes -> registry.put(BlobSource.ofBytes(bytes)), concurrency)
                .filter(blob -> blob.uploaded() != fresh)
                .count()
                .blockOptional().orElseThrow();
        if (mismatched != 0) {
            throw new IllegalStateException(mismatched + " payloads were " + (fresh ? "reused" : "uploaded again")
                    + " where " + (fresh ? "uploads" : "reuse") + " were expected");
        }
    }

    private static void rawFiles(Path dir, List<byte[]> payloads, int concurrency) {
        Flux.range(0, payloads.size())
                .flatMap(i -> Mono.fromCallable(() -> Files.write(dir.resolve("p" + i), payloads.get(i)))
                        .subscribeOn(Schedulers.boundedElastic()), concurrency)
                .blockLast();
        long read = Flux.range(0, payloads.size())
                .flatMap(i -> Mono.fromCallable(() -> (long) Files.readAllBytes(dir.resolve("p" + i)).length)
                        .subscribeOn(Schedulers.boundedElastic()), concurrency)
                .reduce(0L, Long::sum)
                .blockOptional().orElseThrow();
        expectBytes(read, payloads);
    }

    private static void rawS3(S3AsyncClient client, String bucket, List<byte[]> payloads, int concurrency) {
        Flux.range(0, payloads.size())
                .flatMap(i -> Mono.fromFuture(() -> client.putObject(b -> b.bucket(bucket).key("payloads/p" + i)
                        .contentLength((long) payloads.get(i).length).contentType("application/octet-stream"),
                        AsyncRequestBody.fromBytes(payloads.get(i)))), concurrency)
                .blockLast();
        long read = Flux.range(0, payloads.size())
                .flatMap(i -> Mono.fromFuture(() -> client.getObject(b -> b.bucket(bucket).key("payloads/p" + i),
                        AsyncResponseTransformer.toBytes())), concurrency)
                .map(response -> (long) response.asByteArrayUnsafe().length)
                .reduce(0L, Long::sum)
                .blockOptional().orElseThrow();
        expectBytes(read, payloads);
    }

    private static void expectBytes(Long read, List<byte[]> payloads) {
        long expected = payloads.stream().mapToLong(p -> p.length).sum();
        if (read == null || read != expected) {
            throw new IllegalStateException("read " + read + " bytes back, expected " + expected);
        }
    }

    private interface DirectoryWork {
        void accept(Path directory) throws Exception;
    }

    private static Trial directoryTrial(String name, DirectoryWork work) {
        return directoryTrial(name, dir -> { }, work);
    }

    /** A trial in a fresh directory that {@code setup} fills (untimed) before {@code work} runs (timed). */
    private static Trial directoryTrial(String name, DirectoryWork setup, DirectoryWork work) {
        return new Trial() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public Run prepare() throws Exception {
                Path dir = Files.createTempDirectory("datalake-bench-registry");
                setup.accept(dir);
                return new Run() {
                    @Override
                    public void run() throws Exception {
                        work.accept(dir);
                    }

                    @Override
                    public void cleanup() throws IOException {
                        deleteRecursively(dir);
                    }
                };
            }
        };
    }

    private interface BucketWork {
        void accept(String bucket) throws Exception;
    }

    private static Trial bucketTrial(String name, BlobStore store, BucketWork work) {
        return bucketTrial(name, store, bucket -> { }, work);
    }

    /** A trial in a fresh bucket that {@code setup} fills (untimed) before {@code work} runs (timed). */
    private static Trial bucketTrial(String name, BlobStore store, BucketWork setup, BucketWork work) {
        return new Trial() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public Run prepare() throws Exception {
                String bucket = "bench-" + BUCKETS.incrementAndGet();
                store.createContainer(bucket);
                setup.accept(bucket);
                return new Run() {
                    @Override
                    public void run() throws Exception {
                        work.accept(bucket);
                    }

                    @Override
                    public void cleanup() {
                        store.deleteContainer(bucket);
                    }
                };
            }
        };
    }

    static void deleteRecursively(Path dir) throws IOException {
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> {
                try {
                    Files.delete(path);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
    }
}
