package io.datalake.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.datalake.Datalake;
import io.datalake.RegistrySettings;
import io.datalake.dataset.AuditOptions;
import io.datalake.dataset.DatasetSource;
import io.datalake.dataset.VersionInfo;
import io.datalake.dataset.VersionRef;
import io.datalake.mongo.TestLakes;
import io.datalake.query.Query;
import io.datalake.query.QueryOptions;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.bson.Document;
import org.bson.types.ObjectId;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The exports read by the tools users load them with: pyarrow, pandas and DuckDB read the Parquet file without
 * options, and {@code datasets.load_dataset(folder)} loads the Hugging Face folder with an Image feature and the
 * split sizes. Skipped where no Python with those modules is found ({@code DATALAKE_PYTHON}, else
 * {@code /tmp/pqvenv/bin/python3}, else {@code python3}).
 */
class EmbeddedPythonReadersTest {
    private static final String CHECK = """
            import json, os, sys
            import pyarrow.parquet as pq, pandas as pd, duckdb, datasets
            pq_file, hf_dir = sys.argv[1], sys.argv[2]
            t = pq.read_table(pq_file)
            types = {f.name: str(f.type) for f in t.schema}
            df = pd.read_parquet(pq_file)
            duck = duckdb.sql(f"select count(*), typeof(any_value(image__added_at)), sum(label__data__count)"
                              f" from read_parquet('{pq_file}')").fetchall()[0]
            ds = datasets.load_dataset(hf_dir)
            first = ds["train"][0]
            print(json.dumps({
                "rows": t.num_rows, "types": types,
                "pandas_rows": len(df), "pandas_tags": df["label__data__tags"].iloc[0],
                "pandas_added_at": str(df["image__added_at"].dtype),
                "duck": [duck[0], duck[1], int(duck[2])],
                "splits": {k: v.num_rows for k, v in ds.items()},
                "image_feature": type(ds["train"].features["image"]).__name__,
                "image_size": list(first["image"].size),
                "hf_added_at": str(ds["train"].features["image__added_at"].dtype),
            }))
            """;

    @TempDir
    Path temp;

    @Test
    void pyarrowPandasDuckdbAndDatasetsReadTheExports() throws Exception {
        String python = python();
        assumeTrue(python != null, "no Python with pyarrow, pandas, duckdb, datasets and Pillow");
        Datalake lake = TestLakes.newLake(s -> s.registry(RegistrySettings.builder()
                .allow(temp.resolve("reg").toString()).build()));
        try {
            String registry = temp.resolve("reg").toString();
            for (int i = 0; i < 6; i++) {
                Map<String, Object> meta = new LinkedHashMap<>();
                meta.put("kind", "image");
                meta.put("split", i < 4 ? "train" : "test");
                ObjectId image = lake.addDatum(EmbeddedParquetExportTest.png(0x100000 * i), meta, registry, null)
                        .block().id();
                lake.addDatum(Map.of("count", i, "tags", List.of("a", i)), Map.of("kind", "label"), null, image)
                        .block();
            }
            Query query = Query.builder().base("image", new Document("metadata.kind", "image"))
                    .derived("label", "image", null).build();
            VersionInfo draft = lake.datasets().createDraft("scenes",
                    DatasetSource.query(query, QueryOptions.defaults())).block();
            lake.datasets().audit(draft.id(), AuditOptions.defaults(), List.of()).block();
            lake.datasets().publish(draft.id()).block();
            Path pq = temp.resolve("pq");
            Path hf = temp.resolve("hf");
            Exporter.of(lake).exportVersion(VersionRef.parse("scenes"), pq,
                    ExportOptions.builder().format(ExportFormat.PARQUET).build()).block();
            Exporter.of(lake).exportVersion(VersionRef.parse("scenes"), hf,
                    ExportOptions.builder().format(ExportFormat.HUGGING_FACE).split(Split.byField("image",
                            "metadata.split")).payloadMode(PayloadMode.EMBED).build()).block();

            Document result = Document.parse(run(python, pq.resolve("data/part-00000.parquet"), hf));

            assertThat(result.getInteger("rows")).isEqualTo(6);
            Document types = result.get("types", Document.class);
            assertThat(types.getString("image__added_at")).isEqualTo("timestamp[ms, tz=UTC]");
            assertThat(types.getString("label__data__count")).isEqualTo("int64");
            assertThat(types.getString("image__payload")).isEqualTo("string");
            assertThat(result.getInteger("pandas_rows")).isEqualTo(6);
            assertThat(result.getString("pandas_tags")).startsWith("[\"a\", ");
            assertThat(result.getString("pandas_added_at")).contains("UTC");
            assertThat(result.getList("duck", Object.class)).containsExactly(6, "TIMESTAMP WITH TIME ZONE", 15);
            assertThat(result.get("splits", Document.class)).containsEntry("train", 4).containsEntry("test", 2);
            assertThat(result.getString("image_feature")).isEqualTo("Image");
            assertThat(result.getList("image_size", Integer.class)).containsExactly(2, 3);
            assertThat(result.getString("hf_added_at")).isEqualTo("timestamp[ms, tz=UTC]");
        } finally {
            lake.close();
        }
    }

    private String run(String python, Path parquet, Path hf) throws IOException, InterruptedException {
        Path script = Files.writeString(temp.resolve("check.py"), CHECK);
        ProcessBuilder pb = new ProcessBuilder(python, script.toString(), parquet.toString(), hf.toString())
                .redirectErrorStream(false);
        pb.environment().put("HF_DATASETS_OFFLINE", "1");
        pb.environment().put("HF_HUB_OFFLINE", "1");
        pb.environment().put("HF_HOME", temp.resolve("hf-home").toString());
        Path err = temp.resolve("stderr.txt");
        pb.redirectError(err.toFile());
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(300, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(Files.readString(err)).isZero();
        return out.strip().lines().reduce((a, b) -> b).orElse("{}");
    }

    private static String python() throws InterruptedException {
        String env = System.getenv("DATALAKE_PYTHON");
        for (String candidate : env != null ? List.of(env) : List.of("/tmp/pqvenv/bin/python3", "python3")) {
            try {
                Process p = new ProcessBuilder(candidate, "-c", "import pyarrow, pandas, duckdb, datasets, PIL")
                        .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
                if (p.waitFor(120, TimeUnit.SECONDS) && p.exitValue() == 0) {
                    return candidate;
                }
                p.destroy();
            } catch (IOException e) {
                // Not there: try the next one.
            }
        }
        return null;
    }
}
