package io.datalake.registry.s3;

import io.datalake.InvalidArgumentException;
import io.datalake.registry.RegistryKeys;
import io.datalake.registry.RegistryUris;
import java.net.URI;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * A parsed {@code s3://bucket/prefix} URI.
 *
 * @param bucket the bucket
 * @param prefix the key prefix without leading or trailing {@code /}, empty for the bucket's root
 * @param endpoint the endpoint override named in the URI's query, or null
 * @param region the region named in the URI's query, or null
 * @param pathStyle the path-style flag named in the URI's query, or null
 */
record S3Location(String bucket, String prefix, @Nullable String endpoint, @Nullable String region,
        @Nullable String pathStyle) {
    private static final Pattern BUCKET = Pattern.compile("[a-z0-9][a-z0-9.\\-_]{1,254}");

    static S3Location parse(URI uri) {
        String bucket = uri.getHost() != null ? uri.getHost() : uri.getRawAuthority();
        if (bucket == null || !BUCKET.matcher(bucket).matches()) {
            throw new InvalidArgumentException("S3 registry URI " + RegistryUris.redact(uri.toString())
                    + " must be s3://bucket/prefix with a valid bucket name");
        }
        if (uri.getUserInfo() != null || uri.getPort() != -1) {
            throw new InvalidArgumentException("S3 registry URI " + RegistryUris.redact(uri.toString())
                    + " must not carry user info or a port; pass the endpoint as ?endpoint=...");
        }
        String path = uri.getPath() == null ? "" : uri.getPath();
        String prefix = path.replaceAll("^/+", "").replaceAll("/+$", "");
        if (!prefix.isEmpty()) {
            RegistryKeys.validatePrefix(prefix);
        }
        java.util.Map<String, String> query = RegistryUris.queryParameters(uri);
        return new S3Location(bucket, prefix, blankToNull(query.get(S3RegistryBackendProvider.ENDPOINT)),
                blankToNull(query.get(S3RegistryBackendProvider.REGION)),
                blankToNull(query.get(S3RegistryBackendProvider.PATH_STYLE)));
    }

    private static @Nullable String blankToNull(@Nullable String value) {
        return value == null || value.isEmpty() ? null : value;
    }

    /**
     * The canonical URI, which is what datums record: bucket, prefix and the connection parameters another
     * process needs to reach the same store (endpoint, region, path style), in a fixed order; never credentials,
     * which come from settings or the SDK's default chain.
     */
    String canonicalUri() {
        StringBuilder query = new StringBuilder();
        append(query, S3RegistryBackendProvider.ENDPOINT, endpoint);
        append(query, S3RegistryBackendProvider.REGION, region);
        append(query, S3RegistryBackendProvider.PATH_STYLE, pathStyle);
        return "s3://" + bucket + (prefix.isEmpty() ? "" : "/" + prefix) + query;
    }

    private static void append(StringBuilder query, String name, @Nullable String value) {
        if (value != null) {
            query.append(query.length() == 0 ? '?' : '&').append(name).append('=').append(value);
        }
    }

    String objectKey(String key) {
        return prefix.isEmpty() ? key : prefix + "/" + key;
    }
}
