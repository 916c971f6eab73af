package io.datalake.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.datalake.Datalake;
import io.datalake.Datum;
import io.datalake.InvalidArgumentException;
import io.datalake.RegistrySettings;
import io.datalake.dataset.AuditOptions;
import io.datalake.dataset.DatasetSource;
import io.datalake.dataset.VersionInfo;
import io.datalake.dataset.VersionRef;
import io.datalake.mongo.TestLakes;
import io.datalake.query.Query;
import io.datalake.query.QueryOptions;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName;
import org.bson.Document;
import org.bson.types.ObjectId;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Parquet and Hugging Face exports of an embedded lake, read back with parquet-java. */
class EmbeddedParquetExportTest {
    static final Instant SEEN = Instant.parse("2024-05-06T07:08:09.123Z");

    @TempDir
    Path temp;
    private Datalake lake;
    private String registry;
    private Query query;
    private final List<byte[]> images = new ArrayList<>();

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

    static byte[] png(int rgb) throws Exception {
        BufferedImage image = new BufferedImage(2, 3, BufferedImage.TYPE_INT_RGB);
        image.setRGB(1, 1, rgb);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(image, "png", out);
        return out.toByteArray();
    }

    /**
     * {@code count} PNG images (image {@code i} and {@code i + 2} share their bytes when {@code i} is even), each with a
     * label of typed fields derived from it and a split in its metadata; published as {@code scenes}.
     */
    private VersionInfo publish(int count) throws Exception {
        for (int i = 0; i < count; i++) {
            byte[] bytes = png(i % 2 == 0 ? 0x102030 : 0x405060 + i);
            images.add(bytes);
            Map<String, Object> meta = new LinkedHashMap<>();
            meta.put("kind", "image");
            meta.put("n", i);
            meta.put("split", i % 4 == 3 ? "test" : "train");
            ObjectId image = lake.addDatum(bytes, meta, registry, null).block().id();
            Map<String, Object> data = new LinkedHashMap<>();
            data.put("label", "cat" + i);
            data.put("score", 0.5 + i);
            data.put("count", i);
            data.put("ok", i % 2 == 0);
            data.put("seen", SEEN.plusSeconds(i));
            data.put("tags", List.of("x", i));
            data.put("box", Map.of("x", 1));
            lake.addDatum(data, Map.of("kind", "label"), null, image).block();
        }
        VersionInfo draft = lake.datasets().createDraft("scenes",
                DatasetSource.query(query, QueryOptions.defaults())).block();
        assertThat(lake.datasets().audit(draft.id(), AuditOptions.defaults(), List.of()).block().passed()).isTrue();
        return lake.datasets().publish(draft.id()).block();
    }

    private ExportReport export(Path out, ExportOptions options) {
        return Exporter.of(lake).exportVersion(VersionRef.parse("scenes"), out, options).block();
    }

    @Test
    void parquetHasTypedColumnsIdsNullsJsonAndPayloadPathsReadBackWithParquetJava() throws Exception {
        VersionInfo v1 = publish(4);
        Path out = temp.resolve("pq");

        ExportReport report = export(out, ExportOptions.builder().format(ExportFormat.PARQUET).batchSize(3).build());

        assertThat(report.rows()).isEqualTo(4);
        ParquetFiles.Read read = ParquetFiles.read(out.resolve("data/part-00000.parquet"));
        MessageType schema = read.schema();
        // Fields in the order first seen (the store may keep metadata in another order than given).
        // image_info: recorded on ingest for image payloads (README "Image metadata on ingest").
        assertThat(schema.getFields().subList(5, 9)).extracting(f -> f.getName()).containsExactlyInAnyOrder(
                "image__metadata__kind", "image__metadata__n", "image__metadata__split", "image__metadata__image_info");
        assertThat(schema.getFields()).extracting(f -> f.getName()).containsExactly(
                "image__id", "image__added_at", "image__derived_from", "image__payload", "image__content_type",
                schema.getFields().get(5).getName(), schema.getFields().get(6).getName(),
                schema.getFields().get(7).getName(), schema.getFields().get(8).getName(), "image__other",
                "label__id", "label__added_at", "label__derived_from", "label__payload", "label__content_type",
                "label__data__label", "label__data__score", "label__data__count", "label__data__ok",
                "label__data__seen", "label__data__tags", "label__data__box", "label__metadata__kind",
                "label__other");
        assertThat(schema.getType("image__added_at").getLogicalTypeAnnotation())
                .isEqualTo(LogicalTypeAnnotation.timestampType(true, LogicalTypeAnnotation.TimeUnit.MILLIS));
        assertThat(schema.getType("label__data__seen").getLogicalTypeAnnotation())
                .isEqualTo(LogicalTypeAnnotation.timestampType(true, LogicalTypeAnnotation.TimeUnit.MILLIS));
        assertThat(schema.getType("label__data__count").asPrimitiveType().getPrimitiveTypeName())
                .isEqualTo(PrimitiveTypeName.INT64);
        assertThat(schema.getType("label__data__score").asPrimitiveType().getPrimitiveTypeName())
                .isEqualTo(PrimitiveTypeName.DOUBLE);
        assertThat(schema.getType("label__data__ok").asPrimitiveType().getPrimitiveTypeName())
                .isEqualTo(PrimitiveTypeName.BOOLEAN);
        assertThat(schema.getType("label__data__tags").getLogicalTypeAnnotation())
                .isEqualTo(LogicalTypeAnnotation.stringType());

        assertThat(read.rows()).hasSize(4);
        Set<Long> ns = new TreeSet<>();
        for (Map<String, Object> row : read.rows()) {
            int n = (int) (long) (Long) row.get("image__metadata__n");
            ns.add((long) n);
            Datum image = lake.getDatum(new ObjectId((String) row.get("image__id"))).block();
            Datum label = lake.getDatum(new ObjectId((String) row.get("label__id"))).block();
            assertThat(row.get("image__added_at")).isEqualTo(image.addedAt().toEpochMilli());
            assertThat(row).doesNotContainKeys("image__derived_from", "image__other", "label__payload",
                    "label__content_type", "label__other");
            assertThat(row.get("label__derived_from")).isEqualTo(image.id().toHexString());
            assertThat(row.get("image__content_type")).isEqualTo("image/png");
            assertThat(row.get("image__payload")).isEqualTo("payloads/" + sha256(images.get(n)));
            assertThat(Files.readAllBytes(out.resolve((String) row.get("image__payload")))).isEqualTo(images.get(n));
            assertThat(row.get("label__added_at")).isEqualTo(label.addedAt().toEpochMilli());
            assertThat(row.get("label__data__label")).isEqualTo("cat" + n);
            assertThat(row.get("label__data__score")).isEqualTo(0.5 + n);
            assertThat(row.get("label__data__count")).isEqualTo((long) n);
            assertThat(row.get("label__data__ok")).isEqualTo(n % 2 == 0);
            assertThat(row.get("label__data__seen")).isEqualTo(SEEN.plusSeconds(n).toEpochMilli());
            assertThat(row.get("label__data__tags")).isEqualTo("[\"x\", " + n + "]");
            assertThat(row.get("label__data__box")).isEqualTo("{\"x\": 1}");
            assertThat(row.get("image__metadata__split")).isEqualTo(n % 4 == 3 ? "test" : "train");
            assertThat(Document.parse((String) row.get("image__metadata__image_info")))
                    .isEqualTo(new Document("format", "png").append("width", 2).append("height", 3));
        }
        assertThat(ns).containsExactly(0L, 1L, 2L, 3L);

        Document source = Document.parse(read.footer().get("datalake.source"));
        assertThat(source.getString("ref")).isEqualTo("scenes@1");
        assertThat(source.getString("content_hash")).isEqualTo(v1.contentHash());
        assertThat(read.footer().get("datalake.columns")).contains("\"name\": \"label__data__count\"");

        Document manifest = Document.parse(Files.readString(out.resolve("manifest.json")));
        assertThat(manifest.getString("format")).isEqualTo("datalake-parquet");
        List<Document> files = manifest.getList("files", Document.class);
        assertThat(files).extracting(f -> f.getString("path")).contains("data/part-00000.parquet")
                .hasSize(1 + 3);
        for (Document file : files) {
            byte[] bytes = Files.readAllBytes(out.resolve(file.getString("path")));
            assertThat(((Number) file.get("size")).longValue()).isEqualTo(bytes.length);
            assertThat(file.getString("sha256")).isEqualTo(sha256(bytes));
        }
    }

    @Test
    void embeddedPayloadsAreTheBytesAndLeaveNoFilesBehind() throws Exception {
        publish(4);
        Path out = temp.resolve("pq-embed");

        export(out, ExportOptions.builder().format(ExportFormat.PARQUET).payloadMode(PayloadMode.EMBED).batchSize(2)
                .rowGroupRows(3).build());

        ParquetFiles.Read read = ParquetFiles.read(out.resolve("data/part-00000.parquet"));
        assertThat(read.schema().getType("image__payload").asPrimitiveType().getPrimitiveTypeName())
                .isEqualTo(PrimitiveTypeName.BINARY);
        assertThat(read.schema().getType("image__payload").getLogicalTypeAnnotation()).isNull();
        assertThat(read.rowGroups()).as("row groups of rowGroupRows rows").containsExactly(3L, 1L);
        for (Map<String, Object> row : read.rows()) {
            int n = (int) (long) (Long) row.get("image__metadata__n");
            assertThat((byte[]) row.get("image__payload")).isEqualTo(images.get(n));
        }
        assertThat(allFiles(out)).containsExactlyInAnyOrder("manifest.json", "data/part-00000.parquet");
    }

    @Test
    void huggingFaceSingleSplitHasTheImageStructAndADatasetCard() throws Exception {
        VersionInfo v1 = publish(4);
        Path out = temp.resolve("hf");

        ExportReport report = export(out, ExportOptions.builder().format(ExportFormat.HUGGING_FACE)
                .payloadMode(PayloadMode.EMBED).build());

        assertThat(report.rows()).isEqualTo(4);
        assertThat(allFiles(out)).containsExactlyInAnyOrder("manifest.json", "README.md",
                "data/train-00000-of-00001.parquet");
        ParquetFiles.Read read = ParquetFiles.read(out.resolve("data/train-00000-of-00001.parquet"));
        assertThat(read.schema().getFieldIndex("image")).isEqualTo(3);
        assertThat(read.schema().containsField("image__payload")).isFalse();
        for (Map<String, Object> row : read.rows()) {
            int n = (int) (long) (Long) row.get("image__metadata__n");
            @SuppressWarnings("unchecked")
            Map<String, Object> image = (Map<String, Object>) row.get("image");
            assertThat((byte[]) image.get("bytes")).isEqualTo(images.get(n));
            assertThat(image.get("path")).isEqualTo(sha256(images.get(n)) + ".png");
        }
        assertThat(read.footer().get("huggingface")).contains("\"image\": {\"_type\": \"Image\"}");

        String card = Files.readString(out.resolve("README.md"));
        JsonNode yaml = yaml(card);
        JsonNode config = yaml.get("configs").get(0);
        assertThat(config.get("config_name").asText()).isEqualTo("default");
        assertThat(config.get("data_files").get(0).get("split").asText()).isEqualTo("train");
        assertThat(config.get("data_files").get(0).get("path").asText()).isEqualTo("data/train-*");
        Map<String, String> features = new LinkedHashMap<>();
        yaml.get("dataset_info").get("features").forEach(f -> features.put(f.get("name").asText(),
                f.get("dtype").asText()));
        assertThat(features).containsEntry("image", "image").containsEntry("image__added_at", "timestamp[ms, tz=UTC]")
                .containsEntry("label__data__count", "int64").containsEntry("label__data__score", "float64")
                .containsEntry("label__data__ok", "bool").containsEntry("label__data__tags", "string");
        assertThat(features.keySet()).containsExactlyElementsOf(read.schema().getFields().stream()
                .map(f -> f.getName()).collect(Collectors.toList()));
        JsonNode split = yaml.get("dataset_info").get("splits").get(0);
        assertThat(split.get("name").asText()).isEqualTo("train");
        assertThat(split.get("num_examples").asLong()).isEqualTo(4);
        assertThat(card).contains("scenes@1").contains(v1.contentHash()).contains(v1.id().toHexString());
    }

    @Test
    void aSeededRandomSplitIsStableAcrossRunsAndChangesWithTheSeed() throws Exception {
        publish(40);
        Map<String, Double> fractions = new LinkedHashMap<>();
        // The ids are random, so each split's size is too: with 40 rows and these fractions the chance that a
        // split gets no row is about 1e-6 (with 0.6/0.2/0.2 it was 1e-4, and it happened once in CI).
        fractions.put("train", 0.4);
        fractions.put("validation", 0.3);
        fractions.put("test", 0.3);

        Map<String, String> first = splitOfEachImage(temp.resolve("r1"), Split.random(fractions, 7));
        Map<String, String> again = splitOfEachImage(temp.resolve("r2"), Split.random(fractions, 7));
        Map<String, String> other = splitOfEachImage(temp.resolve("r3"), Split.random(fractions, 8));

        assertThat(first).hasSize(40).isEqualTo(again).isNotEqualTo(other);
        assertThat(new TreeSet<>(first.values())).containsExactly("test", "train", "validation");
        JsonNode yaml = yaml(Files.readString(temp.resolve("r1").resolve("README.md")));
        Map<String, Long> sizes = new LinkedHashMap<>();
        yaml.get("dataset_info").get("splits").forEach(s -> sizes.put(s.get("name").asText(),
                s.get("num_examples").asLong()));
        assertThat(sizes.keySet()).containsExactly("train", "validation", "test");
        Map<String, Long> counted = first.values().stream().collect(Collectors.groupingBy(s -> s,
                Collectors.counting()));
        assertThat(sizes).isEqualTo(counted);
        List<String> paths = new ArrayList<>();
        yaml.get("configs").get(0).get("data_files").forEach(f -> paths.add(f.get("path").asText()));
        assertThat(paths).containsExactly("data/train-*", "data/validation-*", "data/test-*");
    }

    @Test
    void aSplitByFieldUsesEachRowsValueAndABadValueFailsNamingTheRow() throws Exception {
        publish(8);

        Map<String, String> splits = splitOfEachImage(temp.resolve("f1"), Split.byField("image", "metadata.split"));

        assertThat(splits).hasSize(8);
        for (Map.Entry<String, String> e : splits.entrySet()) {
            Datum image = lake.getDatum(new ObjectId(e.getKey())).block();
            assertThat(e.getValue()).isEqualTo(image.metadata().get("split"));
        }

        Path missing = temp.resolve("f2");
        assertThatThrownBy(() -> export(missing, ExportOptions.builder().format(ExportFormat.HUGGING_FACE)
                .split(Split.byField("label", "metadata.fold")).build()))
                .isInstanceOf(InvalidArgumentException.class)
                .hasMessageContaining("row 0").hasMessageContaining("metadata.fold").hasMessageContaining("missing");
        Path bad = temp.resolve("f3");
        assertThatThrownBy(() -> export(bad, ExportOptions.builder().format(ExportFormat.HUGGING_FACE)
                .split(Split.byField("label", "data.count")).build()))
                .isInstanceOf(InvalidArgumentException.class)
                .hasMessageMatching("row 0: split field data.count of column 'label' \\(datum [0-9a-f]{24}\\) is \\d+, not a"
                        + " Hugging Face split name.*");
        assertThat(missing).doesNotExist();
        assertThat(bad).doesNotExist();
        try (Stream<Path> left = Files.list(temp)) {
            assertThat(left.map(p -> p.getFileName().toString())).noneMatch(n -> n.contains(".partial-"));
        }
    }

    @Test
    void aSplitNameHuggingFaceRefusesFailsBeforeAnythingIsWritten() throws Exception {
        publish(1);
        Path out = temp.resolve("refused");

        assertThatThrownBy(() -> export(out, ExportOptions.builder().format(ExportFormat.HUGGING_FACE)
                .split(Split.parseRandom("train=0.5,val-1=0.5", 1)).build()))
                .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("'val-1'");
        assertThat(out).doesNotExist();
    }

    @Test
    void anExportWithoutRowsStillHasAReadableFileAndCard() throws Exception {
        Query none = Query.builder().base("image", new Document("metadata.kind", "nothing")).build();
        Path pq = temp.resolve("empty-pq");
        Path hf = temp.resolve("empty-hf");

        Exporter.of(lake).exportQuery(none, QueryOptions.defaults(), pq,
                ExportOptions.builder().format(ExportFormat.PARQUET).build()).block();
        Exporter.of(lake).exportQuery(none, QueryOptions.defaults(), hf,
                ExportOptions.builder().format(ExportFormat.HUGGING_FACE).build()).block();

        ParquetFiles.Read read = ParquetFiles.read(pq.resolve("data/part-00000.parquet"));
        assertThat(read.rows()).isEmpty();
        assertThat(read.schema().containsField("image__id")).isTrue();
        assertThat(ParquetFiles.read(hf.resolve("data/train-00000-of-00001.parquet")).rows()).isEmpty();
        JsonNode yaml = yaml(Files.readString(hf.resolve("README.md")));
        assertThat(yaml.get("dataset_info").get("splits").get(0).get("num_examples").asLong()).isZero();
    }

    /** Exports to HF with a split and returns, per image datum id, the split its row landed in. */
    private Map<String, String> splitOfEachImage(Path out, Split split) throws Exception {
        export(out, ExportOptions.builder().format(ExportFormat.HUGGING_FACE).split(split).batchSize(7).build());
        Map<String, String> splits = new HashMap<>();
        try (Stream<Path> files = Files.list(out.resolve("data"))) {
            for (Path file : files.collect(Collectors.toList())) {
                String name = file.getFileName().toString();
                assertThat(name).endsWith("-00000-of-00001.parquet");
                String splitName = name.substring(0, name.indexOf('-'));
                for (Map<String, Object> row : ParquetFiles.read(file).rows()) {
                    assertThat(splits.put((String) row.get("image__id"), splitName)).isNull();
                    // Payload files: the image bytes are in the shard all the same, the path names the copy.
                    @SuppressWarnings("unchecked")
                    Map<String, Object> image = (Map<String, Object>) row.get("image");
                    assertThat(Files.readAllBytes(out.resolve((String) image.get("path"))))
                            .isEqualTo((byte[]) image.get("bytes"));
                }
            }
        }
        return splits;
    }

    static JsonNode yaml(String card) throws Exception {
        assertThat(card).startsWith("---\n");
        String header = card.substring(4, card.indexOf("\n---\n", 4) + 1);
        return new ObjectMapper(new YAMLFactory()).readTree(header);
    }

    static Set<String> allFiles(Path root) throws Exception {
        try (Stream<Path> s = Files.walk(root)) {
            return s.filter(Files::isRegularFile).map(p -> root.relativize(p).toString().replace('\\', '/'))
                    .collect(Collectors.toSet());
        }
    }

    static String sha256(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }

    static String utf8(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
