package io.datalake.io;

import static org.assertj.core.api.Assertions.assertThat;

import io.datalake.Datalake;
import io.datalake.Datum;
import io.datalake.RegistrySettings;
import io.datalake.dataset.AuditOptions;
import io.datalake.dataset.DatasetSource;
import io.datalake.dataset.VersionInfo;
import io.datalake.dataset.VersionRef;
import io.datalake.mongo.TestLakes;
import io.datalake.query.Query;
import io.datalake.query.QueryOptions;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.bson.Document;
import org.bson.types.ObjectId;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Payload copies of an export agree with the datums the export read, even when another client rewrites a datum's
 * payload fields between the batch's read and the copy: each file's name, bytes and manifest entry come from one
 * datum, verified once.
 */
class EmbeddedPayloadCopyConsistencyTest {
    private static final byte[] FIRST = "the image the version was built with".getBytes(StandardCharsets.UTF_8);
    private static final byte[] SWAPPED = "bytes another client points the datum at".getBytes(StandardCharsets.UTF_8);

    @TempDir
    Path temp;
    private Datalake lake;
    private String registry;

    @BeforeEach
    void openLake() {
        registry = temp.resolve("reg").toString();
        lake = TestLakes.newLake(s -> s.registry(RegistrySettings.builder().allow(registry).build()));
    }

    @AfterEach
    void closeLake() {
        lake.close();
    }

    @Test
    void aDatumRewrittenAfterTheBatchReadIsCopiedAsTheBatchReadIt() throws Exception {
        Datum image = lake.addDatum(FIRST, Map.of("kind", "image"), registry, null).block();
        Datum other = lake.addDatum(SWAPPED, Map.of("kind", "other"), registry, null).block();
        Query query = Query.builder().base("image", new Document("metadata.kind", "image")).build();
        VersionInfo draft = lake.datasets().createDraft("images",
                DatasetSource.query(query, QueryOptions.defaults())).block();
        assertThat(lake.datasets().audit(draft.id(), AuditOptions.defaults(), List.of()).block().passed()).isTrue();
        lake.datasets().publish(draft.id()).block();

        // Right after the export's batch read, another client repoints the image datum at other bytes.
        AtomicBoolean rewritten = new AtomicBoolean();
        Datalake racing = (Datalake) Proxy.newProxyInstance(Datalake.class.getClassLoader(),
                new Class<?>[] {Datalake.class}, (proxy, method, args) -> {
                    Object result;
                    try {
                        result = method.invoke(lake, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                    if (method.getName().equals("getData") && ((List<?>) args[0]).contains(image.id())) {
                        @SuppressWarnings("unchecked")
                        Flux<Datum> read = (Flux<Datum>) result;
                        return read.collectList().flatMapMany(datums -> rewrite(image.id(), other, rewritten)
                                .thenMany(Flux.fromIterable(datums)));
                    }
                    return result;
                });

        Path out = temp.resolve("export");
        ExportReport report = Exporter.of(racing).exportVersion(VersionRef.parse("images"), out,
                ExportOptions.defaults()).block();

        assertThat(rewritten).isTrue();
        assertThat(report.payloadFiles()).isEqualTo(1);
        Document line = Document.parse(Files.readAllLines(out.resolve("data.jsonl")).get(0));
        String payload = line.get("columns", Document.class).get("image", Document.class).getString("payload");
        assertThat(payload).isEqualTo("payloads/" + sha256(FIRST));
        assertThat(Files.readAllBytes(out.resolve(payload))).isEqualTo(FIRST);
        Document manifest = Document.parse(Files.readString(out.resolve("manifest.json")));
        for (Document file : manifest.getList("files", Document.class)) {
            byte[] bytes = Files.readAllBytes(out.resolve(file.getString("path")));
            assertThat(file.getString("sha256")).as(file.getString("path")).isEqualTo(sha256(bytes));
        }
    }

    private Mono<Void> rewrite(ObjectId id, Datum target, AtomicBoolean done) {
        return Mono.from(TestLakes.documents(lake).updateOne(new Document("_id", id), new Document("$set",
                        new Document("registry_key", target.registryKey())
                                .append("payload.sha256", target.payload().sha256())
                                .append("payload.size", target.payload().size()))))
                .doOnNext(result -> done.set(result.getModifiedCount() == 1))
                .then();
    }

    private static String sha256(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }
}
