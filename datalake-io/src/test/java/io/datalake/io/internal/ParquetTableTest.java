package io.datalake.io.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.datalake.Datum;
import io.datalake.io.ParquetFiles;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bson.types.ObjectId;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The schema comes from the first batch; later values that do not fit it go to the column's JSON fallback. */
class ParquetTableTest {
    @TempDir
    Path temp;

    private static Datum datum(Object data, Map<String, Object> metadata) {
        return Datum.builder().id(new ObjectId()).addedAt(Instant.ofEpochMilli(1_700_000_000_000L)).data(data)
                .metadata(metadata).build();
    }

    private static Map<String, Object> map(Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return m;
    }

    @Test
    void valuesThatDoNotFitTheSampledTypesAreKeptAsJsonInTheOtherColumn() throws Exception {
        List<Datum> datums = List.of(
                datum(map("count", 1, "score", 0.5, "name", "a"), map("m", 1)),
                datum(map("count", 2L, "score", 1.5), map()),
                // After the sample: a string where ints were, an int where doubles were, a field never sampled.
                datum(map("count", "many", "score", 3, "extra", List.of(1)), map()),
                // An integer a double cannot hold exactly.
                datum(map("count", 4, "score", (1L << 53) + 1), map()),
                // Not a document where documents were; metadata of another type.
                datum("scalar", map("m", "x")));
        Map<ObjectId, Datum> byId = new LinkedHashMap<>();
        List<RowSource.NumberedRow> rows = new ArrayList<>();
        for (int i = 0; i < datums.size(); i++) {
            byId.put(datums.get(i).id(), datums.get(i));
            rows.add(new RowSource.NumberedRow(i, Map.of("c", datums.get(i).id())));
        }
        Path file;
        try (Workspace ws = Workspace.create(temp.resolve("out"))) {
            ParquetTable table = ParquetTable.infer(List.of("c"), rows.subList(0, 2), byId,
                    new ParquetTable.Options(false, false));
            assertThat(table.columns()).extracting(ParquetTable.OutColumn::name).containsExactly("c__id",
                    "c__added_at", "c__derived_from", "c__payload", "c__content_type", "c__data__count",
                    "c__data__score", "c__data__name", "c__metadata__m", "c__other");
            assertThat(table.columns()).extracting(ParquetTable.OutColumn::kind).containsExactly(
                    ParquetTable.Kind.STRING, ParquetTable.Kind.TIMESTAMP, ParquetTable.Kind.STRING,
                    ParquetTable.Kind.STRING, ParquetTable.Kind.STRING, ParquetTable.Kind.LONG,
                    ParquetTable.Kind.DOUBLE, ParquetTable.Kind.STRING, ParquetTable.Kind.LONG,
                    ParquetTable.Kind.JSON);
            ParquetShard shard = new ParquetShard(ws, "t.parquet", table, Map.of(), 100, 1);
            for (RowSource.NumberedRow row : rows) {
                shard.write(new ParquetTable.RowInput(row, byId, Map.of(), ws.dir()));
            }
            shard.finish();
            file = temp.resolve("t.parquet");
            java.nio.file.Files.copy(ws.dir().resolve("t.parquet"), file);
        }

        List<Map<String, Object>> read = ParquetFiles.read(file).rows();
        assertThat(read).hasSize(5);
        assertThat(read.get(0)).containsEntry("c__data__count", 1L).containsEntry("c__data__score", 0.5)
                .containsEntry("c__data__name", "a").containsEntry("c__metadata__m", 1L)
                .doesNotContainKey("c__other");
        assertThat(read.get(1)).containsEntry("c__data__count", 2L).doesNotContainKeys("c__data__name", "c__other");
        assertThat(read.get(2)).doesNotContainKey("c__data__count").containsEntry("c__data__score", 3.0)
                .containsEntry("c__other", "{\"data\": {\"count\": \"many\", \"extra\": [1]}}");
        assertThat(read.get(3)).containsEntry("c__data__count", 4L).doesNotContainKey("c__data__score")
                .containsEntry("c__other", "{\"data\": {\"score\": 9007199254740993}}");
        assertThat(read.get(4)).doesNotContainKeys("c__data__count", "c__metadata__m")
                .containsEntry("c__other", "{\"data\": \"scalar\", \"metadata\": {\"m\": \"x\"}}");
        assertThat(read).allSatisfy(r -> assertThat(r).containsEntry("c__added_at", 1_700_000_000_000L));
    }

    @Test
    void aPayloadThatIsNotAnImageInAnImageColumnFailsNamingTheRowAndColumn() throws Exception {
        Datum png = Datum.builder().id(new ObjectId()).addedAt(Instant.now()).registryUri("file:///r").registryKey("a")
                .payload(new io.datalake.PayloadInfo("image/png", 3, "0".repeat(64))).build();
        Datum text = Datum.builder().id(new ObjectId()).addedAt(Instant.now()).registryUri("file:///r")
                .registryKey("b").payload(new io.datalake.PayloadInfo("text/plain", 3, "1".repeat(64))).build();
        Map<ObjectId, Datum> byId = Map.of(png.id(), png, text.id(), text);
        RowSource.NumberedRow first = new RowSource.NumberedRow(0, Map.of("photo", png.id()));
        RowSource.NumberedRow later = new RowSource.NumberedRow(7, Map.of("photo", text.id()));
        try (Workspace ws = Workspace.create(temp.resolve("out"))) {
            java.nio.file.Files.write(ws.folder("payloads").resolve("p"), new byte[] {1, 2, 3});
            Map<ObjectId, String> payloads = Map.of(png.id(), "payloads/p", text.id(), "payloads/p");
            ParquetTable table = ParquetTable.infer(List.of("photo"), List.of(first), byId,
                    new ParquetTable.Options(false, true));
            assertThat(table.columns()).extracting(ParquetTable.OutColumn::name).contains("image")
                    .doesNotContain("photo__payload");
            ParquetShard shard = new ParquetShard(ws, "t.parquet", table, Map.of(), 100, 1);
            shard.write(new ParquetTable.RowInput(first, byId, payloads, ws.dir()));
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> shard.write(
                    new ParquetTable.RowInput(later, byId, payloads, ws.dir())))
                    .isInstanceOf(io.datalake.InvalidArgumentException.class)
                    .hasMessageContaining("row 7, column photo").hasMessageContaining("'text/plain'");
            shard.abort();
        }
    }

    @Test
    void namesAreSafeForSparkAndUniqueIgnoringCase() {
        Datum d = datum(map("a b", 1, "A.B", 2, "id", 3), map());
        ObjectId id = d.id();
        ParquetTable table = ParquetTable.infer(List.of("x", "x__data"),
                List.of(new RowSource.NumberedRow(0, Map.of("x", id, "x__data", id))), Map.of(id, d),
                new ParquetTable.Options(false, false));
        List<String> names = table.columns().stream().map(ParquetTable.OutColumn::name).toList();
        assertThat(names).contains("x__data__a_b", "x__data__A_B_2", "x__data__id", "x__data__id_2");
        assertThat(names.stream().map(n -> n.toLowerCase(java.util.Locale.ROOT)).distinct()).hasSameSizeAs(names);
    }
}
