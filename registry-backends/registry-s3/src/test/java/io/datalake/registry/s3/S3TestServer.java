package io.datalake.registry.s3;

import java.net.URI;
import org.gaul.s3proxy.S3Proxy;
import org.gaul.s3proxy.auth.AuthenticationType;
import org.gaul.s3proxy.blobstore.BlobStore;
import org.gaul.s3proxy.nio2blob.TransientNio2BlobStore;

/**
 * One in-process s3proxy per test JVM on 127.0.0.1 and a free port, with an in-memory blob store, SigV4
 * authentication and the bucket {@value #BUCKET}. The real AWS SDK talks to it over HTTP.
 */
final class S3TestServer {
    static final String BUCKET = "lake";
    static final String ACCESS_KEY = "test-access-key";
    static final String SECRET_KEY = "test-secret-key-do-not-print";

    private static S3Proxy proxy;

    private S3TestServer() {
    }

    /** Returns the endpoint, starting the server on first use. */
    static synchronized String endpoint() {
        if (proxy == null) {
            BlobStore store = new TransientNio2BlobStore();
            store.createContainer(BUCKET);
            S3Proxy started = S3Proxy.builder()
                    .blobStore(store)
                    .endpoint(URI.create("http://127.0.0.1:0"))
                    .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, ACCESS_KEY, SECRET_KEY)
                    // The SDK's automatic multipart upload sends headers s3proxy does not know.
                    .ignoreUnknownHeaders(true)
                    .build();
            try {
                started.start();
            } catch (Exception e) {
                throw new IllegalStateException("s3proxy did not start", e);
            }
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try {
                    started.stop();
                } catch (Exception e) {
                    // The JVM is exiting; nothing is left to clean up.
                }
            }, "s3proxy-shutdown"));
            proxy = started;
        }
        return "http://127.0.0.1:" + proxy.getPort();
    }

    /** A registry URI on the test server (through {@code endpoint}) with the given prefix. */
    static String registryUri(String endpoint, String prefix) {
        return "s3://" + BUCKET + "/" + prefix + "?endpoint=" + endpoint;
    }
}
