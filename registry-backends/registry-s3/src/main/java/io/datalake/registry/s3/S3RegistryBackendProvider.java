package io.datalake.registry.s3;

import io.datalake.InvalidArgumentException;
import io.datalake.registry.RegistryBackend;
import io.datalake.registry.RegistryBackendProvider;
import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.http.async.SdkAsyncHttpClient;
import software.amazon.awssdk.http.nio.netty.NettyNioAsyncHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.regions.providers.DefaultAwsRegionProviderChain;
import software.amazon.awssdk.services.s3.S3AsyncClient;
import software.amazon.awssdk.services.s3.S3AsyncClientBuilder;
import software.amazon.awssdk.services.s3.multipart.MultipartConfiguration;

/**
 * Opens {@code s3://bucket/prefix} registries; found through {@link java.util.ServiceLoader}.
 *
 * <p>Settings come from {@link io.datalake.RegistrySettings} properties named {@code s3.<name>}, overridden by the
 * URI's query parameters {@code <name>=...}:
 * <ul>
 *   <li>{@value #ENDPOINT}: endpoint override for S3-compatible stores (MinIO, Ceph, s3proxy), e.g.
 *       {@code http://127.0.0.1:9000}</li>
 *   <li>{@value #REGION}: the region; otherwise the SDK's default region chain, or {@code us-east-1} when an
 *       endpoint is set</li>
 *   <li>{@value #PATH_STYLE}: {@code true} for path-style access (most S3-compatible stores)</li>
 *   <li>{@value #ACCESS_KEY_ID}, {@value #SECRET_ACCESS_KEY}, {@value #SESSION_TOKEN}: static credentials; without
 *       them the SDK's default provider chain (environment, profile, container, instance role)</li>
 *   <li>{@value #MULTIPART_THRESHOLD}: bytes above which uploads are multipart (default
 *       {@value #DEFAULT_MULTIPART_THRESHOLD}); {@value #PART_SIZE}: part size (default {@value #DEFAULT_PART_SIZE})</li>
 *   <li>{@value #MAX_ATTEMPTS}: attempts per request including retries of transient failures (default
 *       {@value #DEFAULT_MAX_ATTEMPTS})</li>
 * </ul>
 * Secrets in a registry URI are never stored or printed: the canonical URI keeps bucket, prefix and endpoint only.
 * The URI handed to {@link #open} is always one the user configured or passed in code, never one read from a stored
 * datum (the lake's allow-list maps a stored URI to its configured registry first), so endpoints and credentials
 * come from the user's settings only.
 */
public final class S3RegistryBackendProvider implements RegistryBackendProvider {
    /** Property: endpoint override. */
    public static final String ENDPOINT = "endpoint";
    /** Property: region. */
    public static final String REGION = "region";
    /** Property: path-style access. */
    public static final String PATH_STYLE = "pathStyle";
    /** Property: access key id. */
    public static final String ACCESS_KEY_ID = "accessKeyId";
    /** Property: secret access key. */
    public static final String SECRET_ACCESS_KEY = "secretAccessKey";
    /** Property: session token of temporary credentials. */
    public static final String SESSION_TOKEN = "sessionToken";
    /** Property: multipart threshold in bytes. */
    public static final String MULTIPART_THRESHOLD = "multipartThreshold";
    /** Property: multipart part size in bytes. */
    public static final String PART_SIZE = "partSize";
    /** Property: attempts per request. */
    public static final String MAX_ATTEMPTS = "maxAttempts";
    /** Default multipart threshold: 16 MiB. */
    public static final long DEFAULT_MULTIPART_THRESHOLD = 16L * 1024 * 1024;
    /** Default part size: 8 MiB (S3's minimum is 5 MiB). */
    public static final long DEFAULT_PART_SIZE = 8L * 1024 * 1024;
    /** Default attempts per request: the SDK's standard mode. */
    public static final int DEFAULT_MAX_ATTEMPTS = 3;

    private static final Set<String> KNOWN = Set.of(ENDPOINT, REGION, PATH_STYLE, ACCESS_KEY_ID, SECRET_ACCESS_KEY,
            SESSION_TOKEN, MULTIPART_THRESHOLD, PART_SIZE, MAX_ATTEMPTS);

    /** Used by {@link java.util.ServiceLoader}. */
    public S3RegistryBackendProvider() {
    }

    @Override
    public Set<String> schemes() {
        return Set.of("s3");
    }

    @Override
    public String canonicalUri(URI uri) {
        return S3Location.parse(uri).canonicalUri();
    }

    @Override
    public RegistryBackend open(URI uri, Map<String, String> properties) {
        S3Location location = S3Location.parse(uri);
        Set<String> unknown = new TreeSet<>(properties.keySet());
        unknown.removeAll(KNOWN);
        if (!unknown.isEmpty()) {
            throw new InvalidArgumentException("unknown S3 registry settings " + unknown + " for " + location.canonicalUri()
                    + "; known: " + new TreeSet<>(KNOWN));
        }
        String endpoint = properties.get(ENDPOINT);
        URI endpointUri = null;
        if (endpoint != null && !endpoint.isEmpty()) {
            try {
                endpointUri = URI.create(endpoint);
            } catch (IllegalArgumentException e) {
                throw new InvalidArgumentException("invalid S3 endpoint '" + endpoint + "': " + e.getMessage());
            }
        }
        Region region = region(properties.get(REGION), endpoint);
        AwsCredentialsProvider credentials = credentials(properties);
        boolean pathStyle = Boolean.parseBoolean(properties.getOrDefault(PATH_STYLE, "false"));
        int maxAttempts = (int) positive(properties, MAX_ATTEMPTS, DEFAULT_MAX_ATTEMPTS);
        MultipartConfiguration multipart = MultipartConfiguration.builder()
                .thresholdInBytes(positive(properties, MULTIPART_THRESHOLD, DEFAULT_MULTIPART_THRESHOLD))
                .minimumPartSizeInBytes(positive(properties, PART_SIZE, DEFAULT_PART_SIZE))
                .build();
        // One connection pool for both clients; the SDK leaves a shared HTTP client for us to close.
        SdkAsyncHttpClient http = NettyNioAsyncHttpClient.builder().build();
        S3AsyncClient plain = client(http, region, credentials, pathStyle, maxAttempts, endpointUri).build();
        S3AsyncClient uploads = client(http, region, credentials, pathStyle, maxAttempts, endpointUri)
                .multipartEnabled(true)
                .multipartConfiguration(multipart)
                .build();
        return new S3RegistryBackend(plain, uploads, multipart.thresholdInBytes(), List.of(uploads, plain, http),
                location);
    }

    private static S3AsyncClientBuilder client(SdkAsyncHttpClient http, Region region,
            AwsCredentialsProvider credentials, boolean pathStyle, int maxAttempts, @Nullable URI endpoint) {
        S3AsyncClientBuilder builder = S3AsyncClient.builder()
                .httpClient(http)
                .region(region)
                .credentialsProvider(credentials)
                .forcePathStyle(pathStyle)
                .overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.standardRetryStrategy().toBuilder()
                        .maxAttempts(maxAttempts)
                        .build()));
        if (endpoint != null) {
            builder.endpointOverride(endpoint);
        }
        return builder;
    }

    private static Region region(@Nullable String region, @Nullable String endpoint) {
        if (region != null && !region.isEmpty()) {
            return Region.of(region);
        }
        try {
            return new DefaultAwsRegionProviderChain().getRegion();
        } catch (SdkClientException e) {
            if (endpoint != null && !endpoint.isEmpty()) {
                // S3-compatible stores ignore the region but SigV4 needs one.
                return Region.US_EAST_1;
            }
            throw new InvalidArgumentException("no AWS region for the S3 registry: set s3.region, ?region=, AWS_REGION"
                    + " or a profile region");
        }
    }

    private static AwsCredentialsProvider credentials(Map<String, String> properties) {
        String id = properties.get(ACCESS_KEY_ID);
        String secret = properties.get(SECRET_ACCESS_KEY);
        if (id == null && secret == null) {
            return DefaultCredentialsProvider.builder().build();
        }
        if (id == null || secret == null) {
            throw new InvalidArgumentException("S3 registry credentials need both " + ACCESS_KEY_ID + " and "
                    + SECRET_ACCESS_KEY);
        }
        String token = properties.get(SESSION_TOKEN);
        return StaticCredentialsProvider.create(token == null
                ? AwsBasicCredentials.create(id, secret)
                : AwsSessionCredentials.create(id, secret, token));
    }

    private static long positive(Map<String, String> properties, String name, long fallback) {
        String value = properties.get(name);
        if (value == null) {
            return fallback;
        }
        try {
            long parsed = Long.parseLong(value.trim());
            if (parsed > 0) {
                return parsed;
            }
        } catch (NumberFormatException e) {
            // reported below with the setting's name
        }
        throw new InvalidArgumentException("S3 registry setting " + name + " must be a positive integer, got '"
                + value + "'");
    }
}
