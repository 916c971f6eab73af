package io.datalake.registry.s3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import io.datalake.Datalake;
import io.datalake.RegistryException;
import io.datalake.RegistryNotAllowedException;
import io.datalake.RegistrySettings;
import io.datalake.mongo.TestLakes;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Date;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.bson.Document;
import org.bson.types.ObjectId;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

/**
 * A stored {@code registry_uri} can neither send the reader's S3 requests (signed with the reader's credentials) to
 * an endpoint of its choosing nor supply credentials: endpoints and credentials come from the settings only.
 */
class EmbeddedStoredS3EndpointTest {
    private static final String KEY = "ab/cd/" + "ab" + "cd" + "0".repeat(60);

    private HttpServer attacker;
    private HttpServer configured;
    private final List<String> attackerRequests = new CopyOnWriteArrayList<>();
    private final List<String> configuredAuthorizations = new CopyOnWriteArrayList<>();

    @BeforeEach
    void startServers() throws IOException {
        attacker = recording(attackerRequests, false);
        configured = recording(configuredAuthorizations, true);
    }

    @AfterEach
    void stopServers() {
        attacker.stop(0);
        configured.stop(0);
    }

    /** An HTTP server that records each request (its Authorization header) and answers S3's 404 NoSuchKey. */
    private static HttpServer recording(List<String> log, boolean authorization) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", exchange -> {
            log.add(authorization ? String.valueOf(exchange.getRequestHeaders().getFirst("Authorization"))
                    : exchange.getRequestMethod() + " " + exchange.getRequestURI());
            byte[] body = ("<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>NoSuchKey</Code>"
                    + "<Message>no such key</Message></Error>").getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/xml");
            exchange.sendResponseHeaders(404, "HEAD".equals(exchange.getRequestMethod()) ? -1 : body.length);
            if (!"HEAD".equals(exchange.getRequestMethod())) {
                exchange.getResponseBody().write(body);
            }
            exchange.close();
        });
        server.start();
        return server;
    }

    private static String endpoint(HttpServer server) {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    private Datalake lake() {
        return TestLakes.newLake(s -> s.registry(RegistrySettings.builder()
                .allow("s3://bucket/payloads")
                .property("s3.endpoint", endpoint(configured))
                .property("s3.region", "us-east-1")
                .property("s3.pathStyle", "true")
                .property("s3.accessKeyId", "CONFIGUREDKEY")
                .property("s3.secretAccessKey", "configured-secret")
                .property("s3.maxAttempts", "1")
                .build()));
    }

    private static ObjectId insertForeign(Datalake lake, String registryUri) {
        ObjectId id = new ObjectId();
        Document doc = new Document("_id", id).append("data", null).append("registry_uri", registryUri)
                .append("registry_key", KEY).append("derived_from", null).append("metadata", new Document())
                .append("added_at", new Date());
        Mono.from(TestLakes.documents(lake).insertOne(doc)).block();
        return id;
    }

    @Test
    void aStoredEndpointIsRefusedAndReceivesNothing() {
        try (Datalake lake = lake()) {
            ObjectId id = insertForeign(lake, "s3://bucket/payloads?endpoint=" + endpoint(attacker));
            assertThatThrownBy(() -> lake.getDatum(id).block())
                    .isInstanceOf(RegistryNotAllowedException.class)
                    .hasMessageContaining("endpoint=" + endpoint(attacker));
            assertThatThrownBy(() -> lake.getPayload(id).blockLast())
                    .isInstanceOf(RegistryNotAllowedException.class);
        }
        assertThat(attackerRequests).isEmpty();
        assertThat(configuredAuthorizations).isEmpty();
    }

    @Test
    void storedCredentialsAreIgnoredInFavourOfTheConfiguredRegistry() {
        try (Datalake lake = lake()) {
            ObjectId id = insertForeign(lake,
                    "s3://bucket/payloads?accessKeyId=EVILKEY&secretAccessKey=evil-secret");
            // Same registry as the allowed one: opened from the settings, so the request goes to the configured
            // endpoint, signed with the configured key (the object is missing there).
            assertThatThrownBy(() -> lake.getDatum(id).block())
                    .isInstanceOf(RegistryException.class)
                    .isNotInstanceOf(RegistryNotAllowedException.class)
                    .hasMessageNotContaining("evil-secret");
        }
        assertThat(attackerRequests).isEmpty();
        assertThat(configuredAuthorizations).isNotEmpty()
                .allSatisfy(auth -> assertThat(auth).contains("Credential=CONFIGUREDKEY/").doesNotContain("EVIL"));
    }
}
