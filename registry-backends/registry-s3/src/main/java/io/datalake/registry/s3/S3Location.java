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
 */
record S3Location(String bucket, String prefix, @Nullable String endpoint) {
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
        String endpoint = RegistryUris.queryParameters(uri).get(S3RegistryBackendProvider.ENDPOINT);
        return new S3Location(bucket, prefix, endpoint == null || endpoint.isEmpty() ? null : endpoint);
    }

    /** The canonical URI: bucket, prefix and (since it names another store) the endpoint; never credentials. */
    String canonicalUri() {
        return "s3://" + bucket + (prefix.isEmpty() ? "" : "/" + prefix)
                + (endpoint == null ? "" : "?" + S3RegistryBackendProvider.ENDPOINT + "=" + endpoint);
    }

    String objectKey(String key) {
        return prefix.isEmpty() ? key : prefix + "/" + key;
    }
}
