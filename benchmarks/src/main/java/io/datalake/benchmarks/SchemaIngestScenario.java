package io.datalake.benchmarks;

import io.datalake.Datalake;
import io.datalake.NewDatum;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Scenario 13: {@code addData} of small datums into a lake with a typical JSON Schema registered for their kind,
 * against the same ingest with no schema, interleaved; every run writes into a fresh database (the schema is
 * registered untimed, before the run).
 */
final class SchemaIngestScenario {
    /** A typical schema: required fields, const, enum, integer with a minimum, maxLength, pattern, a number range. */
    static final String SCHEMA = """
            {"type": "object", "required": ["data", "metadata"],
             "properties": {
               "data": {"type": "object", "required": ["type", "seq", "label"],
                        "properties": {"type": {"const": "image"}, "seq": {"type": "integer", "minimum": 0},
                                       "label": {"enum": ["cat", "dog", "bird"]}}},
               "metadata": {"type": "object", "required": ["project", "camera", "score"],
                            "properties": {"project": {"type": "string", "maxLength": 64},
                                           "camera": {"type": "string", "pattern": "^cam-[0-9]+$"},
                                           "score": {"type": "number", "minimum": 0, "maximum": 1}}}}}""";
    static final String KIND = "image";
    private static final String[] LABELS = {"cat", "dog", "bird"};

    private SchemaIngestScenario() {
    }

    static ScenarioResult run(BenchmarkRun.Context context) throws Exception {
        BenchServer server = context.server();
        int n = context.options().schemaIngestDatums();
        List<NewDatum> data = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            data.add(NewDatum.of(Map.of("type", KIND, "seq", i, "label", LABELS[i % LABELS.length]),
                    Map.of("project", "cv", "camera", "cam-" + (i % 7), "score", (i % 100) / 100.0)));
        }
        String with = "addData with a schema for the kind, " + n + " datums";
        String without = "addData with no schema, " + n + " datums";
        Map<String, Stats> stats = Interleaved.run(List.of(
                ingest(server, with, data, true), ingest(server, without, data, false)), context);

        ScenarioResult result = new ScenarioResult(13, "Ingest with a schema");
        result.setup.add(n + " datums of kind '" + KIND + "' (data {type, seq, label}, metadata {project, camera, "
                + "score}), batch size " + server.batchSize() + ", each run into a fresh database");
        result.setup.add("Schema registered for the kind (untimed, before the run): required data and metadata "
                + "fields, const, enum, integer with minimum, maxLength, pattern, number range; every datum passes");
        result.timed(stats, with, n, "datums");
        result.timed(stats, without, n, "datums");
        result.checks.add(Check.paired("addData throughput with a schema / without (paired)",
                Stats.in(stats, without), Stats.in(stats, with), true, 0.8));
        return result;
    }

    private static Trial ingest(BenchServer server, String name, List<NewDatum> data, boolean schema) {
        return new Trial() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public Run prepare() {
                String database = server.freshDatabase();
                Datalake lake = server.openLake(database);
                if (schema) {
                    lake.schemas().register(KIND, SCHEMA).block();
                }
                // Untimed: the garbage of the previous run (100k datums, a dropped database in the embedded
                // server's heap) would otherwise be collected during whichever side runs first in each round.
                System.gc();
                return new Run() {
                    private volatile boolean finished;

                    @Override
                    public void run() {
                        BenchServer.load(lake, data);
                        finished = true;
                    }

                    @Override
                    public void cleanup() {
                        try {
                            if (finished) {
                                IngestScenario.expectCount(server.collection(database), data.size());
                            }
                        } finally {
                            lake.close();
                            server.drop(database);
                        }
                    }
                };
            }
        };
    }
}
