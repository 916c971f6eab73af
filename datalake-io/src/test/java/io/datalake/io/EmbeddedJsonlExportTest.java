package io.datalake.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.datalake.Datalake;
import io.datalake.RegistryException;
import io.datalake.RegistrySettings;
import io.datalake.dataset.AuditOptions;
import io.datalake.dataset.DatasetSource;
import io.datalake.dataset.VersionInfo;
import io.datalake.dataset.VersionNotFoundException;
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
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.bson.Document;
import org.bson.types.ObjectId;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.Disposable;

/** JSONL export of an embedded lake's versions and query rows, with payloads in a file registry. */
class EmbeddedJsonlExportTest {
    private static final byte[] SHARED = "the same image twice".getBytes(StandardCharsets.UTF_8);
    private static final byte[] OTHER = "another image".getBytes(StandardCharsets.UTF_8);
    private static final byte[] THIRD = "a third image".getBytes(StandardCharsets.UTF_8);

    @TempDir
    Path temp;
    private Datalake lake;
    private String registry;
    private Query query;

    @BeforeEach
    void openLake() {
        registry = temp.resolve("reg").toString();
        lake = TestLakes.newLake(s -> s.registry(RegistrySettings.builder().allow(registry).build()));
        query = Query.builder()
                .base("image", new Document("metadata.kind", "image"))
                .derived("label", "image", null)
                .build();
    }

    @AfterEach
    void closeLake() {
        lake.close();
    }

    /** Four images (two with identical bytes), each with an inline label derived from it; published as v1. */
    private VersionInfo publishScenes() {
        byte[][] images = {SHARED, OTHER, SHARED, THIRD};
        for (int i = 0; i < images.length; i++) {
            ObjectId image = lake.addDatum(images[i], Map.of("kind", "image", "n", i), registry, null).block().id();
            lake.addDatum(Map.of("label", "cat" + i), Map.of("kind", "label"), null, image).block();
        }
        VersionInfo draft = lake.datasets().createDraft("scenes",
                DatasetSource.query(query, QueryOptions.defaults())).block();
        assertThat(lake.datasets().audit(draft.id(), AuditOptions.defaults(), List.of()).block().passed()).isTrue();
        return lake.datasets().publish(draft.id()).block();
    }

    @Test
    void exportsEveryRowWithPayloadsCopiedOnceAndAManifestOfTrueHashes() throws Exception {
        VersionInfo v1 = publishScenes();
        Path out = temp.resolve("exports").resolve("scenes-v1");

        // Rows 0 and 2 share their image bytes; they are in one batch (3 rows), copied concurrently.
        AtomicInteger payloadReads = new AtomicInteger();
        Datalake counting = (Datalake) Proxy.newProxyInstance(Datalake.class.getClassLoader(),
                new Class<?>[] {Datalake.class}, (proxy, method, args) -> {
                    if (method.getName().equals("getPayload")) {
                        payloadReads.incrementAndGet();
                    }
                    try {
                        return method.invoke(lake, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });

        ExportReport report = Exporter.of(counting).exportVersion(VersionRef.parse("scenes"), out,
                ExportOptions.builder().batchSize(3).payloadConcurrency(2).build()).block();

        assertThat(payloadReads).as("each distinct payload is read and copied once").hasValue(3);

        assertThat(report.directory()).isEqualTo(out);
        assertThat(report.rows()).isEqualTo(4);
        assertThat(report.payloadFiles()).isEqualTo(3);
        assertThat(report.payloadBytes()).isEqualTo(SHARED.length + OTHER.length + THIRD.length);

        List<Document> lines = lines(out);
        assertThat(lines).hasSize(4);
        assertThat(lines).extracting(l -> ((Number) l.get("row")).longValue()).containsExactly(0L, 1L, 2L, 3L);
        List<String> labels = new ArrayList<>();
        for (Document line : lines) {
            Document columns = line.get("columns", Document.class);
            assertThat(columns.keySet()).containsExactly("image", "label");
            Document image = columns.get("image", Document.class);
            Document label = columns.get("label", Document.class);
            int n = image.get("metadata", Document.class).getInteger("n");
            byte[] expected = n == 1 ? OTHER : n == 3 ? THIRD : SHARED;
            assertThat(image.getString("payload")).isEqualTo("payloads/" + sha256(expected));
            assertThat(Files.readAllBytes(out.resolve(image.getString("payload")))).isEqualTo(expected);
            assertThat(image.get("data")).isNull();
            assertThat(lake.getDatum(new ObjectId(image.getString("id"))).block().addedAt().toString())
                    .isEqualTo(image.getString("added_at"));
            assertThat(label.getString("derived_from")).isEqualTo(image.getString("id"));
            assertThat(label.get("payload")).isNull();
            assertThat(label.get("data", Document.class).getString("label")).isEqualTo("cat" + n);
            labels.add(label.get("data", Document.class).getString("label"));
        }
        assertThat(labels).containsExactlyInAnyOrder("cat0", "cat1", "cat2", "cat3");

        try (Stream<Path> payloads = Files.list(out.resolve("payloads"))) {
            assertThat(payloads.map(p -> p.getFileName().toString()))
                    .containsExactlyInAnyOrder(sha256(SHARED), sha256(OTHER), sha256(THIRD));
        }

        Document manifest = Document.parse(Files.readString(out.resolve("manifest.json")));
        assertThat(sha256(Files.readAllBytes(out.resolve("manifest.json")))).isEqualTo(report.manifestSha256());
        Document source = manifest.get("source", Document.class);
        assertThat(source.getString("type")).isEqualTo("version");
        assertThat(source.getString("ref")).isEqualTo("scenes@1");
        assertThat(source.getString("content_hash")).isEqualTo(v1.contentHash()).isNotNull();
        assertThat(((Number) manifest.get("rows")).longValue()).isEqualTo(4);
        List<Document> files = manifest.getList("files", Document.class);
        assertThat(files).extracting(f -> f.getString("path")).containsExactlyInAnyOrder("data.jsonl",
                "payloads/" + sha256(SHARED), "payloads/" + sha256(OTHER), "payloads/" + sha256(THIRD));
        for (Document file : files) {
            byte[] bytes = Files.readAllBytes(out.resolve(file.getString("path")));
            assertThat(((Number) file.get("size")).longValue()).as(file.getString("path")).isEqualTo(bytes.length);
            assertThat(file.getString("sha256")).as(file.getString("path")).isEqualTo(sha256(bytes));
        }
        // Nothing else in the folder: no temporary copies, no working lists.
        assertThat(allFiles(out)).containsExactlyInAnyOrderElementsOf(Stream.concat(Stream.of("manifest.json"),
                files.stream().map(f -> f.getString("path"))).collect(Collectors.toList()));
        assertThat(siblings(out)).containsExactly(out.getFileName().toString());
    }

    @Test
    void exportsAQuerysRowsAndRecordsTheQuery() throws Exception {
        publishScenes();
        Path out = temp.resolve("query-out");

        ExportReport report = Exporter.of(lake).exportQuery(query, QueryOptions.defaults(), out,
                ExportOptions.defaults()).block();

        assertThat(report.rows()).isEqualTo(4);
        assertThat(report.payloadFiles()).isEqualTo(3);
        assertThat(lines(out)).hasSize(4);
        Document source = Document.parse(Files.readString(out.resolve("manifest.json")))
                .get("source", Document.class);
        assertThat(source.getString("type")).isEqualTo("query");
        assertThat(Query.fromMaps(source.getList("query", Document.class))).isEqualTo(query);
    }

    @Test
    void anExistingOutputFolderIsRefusedBeforeAnythingIsWritten() throws Exception {
        publishScenes();
        Path out = Files.createDirectories(temp.resolve("exports").resolve("taken"));

        assertThatThrownBy(() -> Exporter.of(lake).exportVersion(VersionRef.parse("scenes@1"), out,
                ExportOptions.defaults()).block())
                .isInstanceOf(ExportTargetExistsException.class)
                .hasMessageContaining(out.toString())
                .satisfies(e -> assertThat(((ExportTargetExistsException) e).target()).isEqualTo(out));

        try (Stream<Path> left = Files.list(out)) {
            assertThat(left).isEmpty();
        }
        assertThat(siblings(out)).containsExactly("taken");
    }

    @Test
    void aCancelledExportLeavesNoOutputFolderAndNoPartialFolder() throws Exception {
        publishScenes();
        Path out = temp.resolve("exports").resolve("cancelled");
        AtomicReference<Disposable> subscription = new AtomicReference<>();
        CountDownLatch subscribed = new CountDownLatch(1);
        CountDownLatch cancelled = new CountDownLatch(1);
        List<Long> progress = new ArrayList<>();

        ExportOptions options = ExportOptions.builder().batchSize(1).progress(p -> {
            progress.add(p.rows());
            if (p.rows() == 2) {
                try {
                    subscribed.await(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                // Midway: two of four rows and their payloads are on disk in the partial folder.
                assertThat(siblings(out)).singleElement().asString().startsWith("cancelled.partial-");
                subscription.get().dispose();
                cancelled.countDown();
            }
        }).build();
        subscription.set(Exporter.of(lake).exportVersion(VersionRef.parse("scenes@1"), out, options).subscribe());
        subscribed.countDown();

        assertThat(cancelled.await(30, TimeUnit.SECONDS)).isTrue();
        assertThat(progress).containsExactly(1L, 2L);
        assertThat(out).doesNotExist();
        assertThat(siblings(out)).isEmpty();
    }

    @Test
    void aMissingVersionOrACorruptPayloadFailsTypedAndLeavesNoFolder() throws Exception {
        publishScenes();
        Path out = temp.resolve("exports").resolve("failed");
        Files.createDirectories(out.getParent());

        assertThatThrownBy(() -> Exporter.of(lake).exportVersion(VersionRef.parse("scenes@7"), out,
                ExportOptions.defaults()).block()).isInstanceOf(VersionNotFoundException.class);
        assertThat(siblings(out)).isEmpty();

        try (Stream<Path> blobs = Files.walk(temp.resolve("reg"))) {
            for (Path blob : blobs.filter(Files::isRegularFile).collect(Collectors.toList())) {
                byte[] bytes = Files.readAllBytes(blob);
                if (bytes.length > 0) {
                    bytes[0] ^= 1;
                    Files.write(blob, bytes);
                }
            }
        }
        assertThatThrownBy(() -> Exporter.of(lake).exportVersion(VersionRef.parse("scenes@1"), out,
                ExportOptions.defaults()).block()).isInstanceOf(RegistryException.class);
        assertThat(siblings(out)).isEmpty();
    }

    private static List<Document> lines(Path out) throws Exception {
        return Files.readAllLines(out.resolve("data.jsonl")).stream().map(Document::parse).collect(Collectors.toList());
    }

    private static List<String> siblings(Path out) {
        try (Stream<Path> s = Files.list(out.getParent())) {
            return s.map(p -> p.getFileName().toString()).collect(Collectors.toList());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static Set<String> allFiles(Path root) throws Exception {
        try (Stream<Path> s = Files.walk(root)) {
            return s.filter(Files::isRegularFile).map(p -> root.relativize(p).toString().replace('\\', '/'))
                    .collect(Collectors.toSet());
        }
    }

    private static String sha256(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }
}
