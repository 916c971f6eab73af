package io.datalake.samples;

import io.datalake.Datalake;
import io.datalake.Datum;
import io.datalake.NewDatum;
import io.datalake.mongo.Datalakes;
import io.datalake.query.Query;
import io.datalake.query.QueryOptions;
import io.datalake.query.QueryResult;
import java.io.PrintStream;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.bson.types.ObjectId;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * The image pipeline: add images, classify the ones still {@code missing} a classification with a reactive
 * pipeline (query, then {@code flatMap} with bounded concurrency, then {@code addDatum(..., derivedFrom)}), and
 * query the result. Run it again and again on a real lake: each run classifies only what is new.
 */
public final class ImagePipeline {
    /** How many images the model classifies at once. */
    static final int CONCURRENCY = 4;

    /** Images whose classification is still missing: the pipeline's to-do list. */
    static final String UNCLASSIFIED = "["
            + "{\"data.type\": \"image\", \"column\": \"image\", \"strategy\": \"earliest\"},"
            + "{\"data.type\": \"classification\", \"derived_from\": \"image\", \"column\": \"label\","
            + " \"strategy\": \"missing\"}]";

    /** Each image with its latest classification. */
    static final String CLASSIFIED = "["
            + "{\"data.type\": \"image\", \"column\": \"image\", \"strategy\": \"earliest\"},"
            + "{\"data.type\": \"classification\", \"derived_from\": \"image\", \"column\": \"label\"}]";

    private ImagePipeline() {
    }

    /**
     * Runs the sample on an embedded lake.
     *
     * @param args ignored
     */
    public static void main(String[] args) {
        try (Datalake lake = Datalakes.embedded()) {
            run(lake, System.out);
        }
    }

    /**
     * Runs the pipeline on a lake and prints what each step did.
     *
     * @param lake an empty lake
     * @param out where to print
     */
    public static void run(Datalake lake, PrintStream out) {
        // 1. Images arrive in bulk: one addData call, written in batches.
        List<Datum> images = lake.addData(Flux.range(0, 10).map(i -> NewDatum.of(
                        Map.of("type", "image", "path", String.format("camera-1/img_%03d.jpg", i)),
                        Map.of("project", "cv"))))
                .collectList()
                .blockOptional().orElseThrow();
        out.println("added " + images.size() + " images");

        // 2. A model already labelled the first three in an earlier run.
        Flux.fromIterable(images.subList(0, 3))
                .concatMap(image -> lake.addDatum(FakeModel.classify(path(image), "resnet-v1"),
                        Map.of("model", "resnet-v1"), null, image.id()))
                .blockLast();
        out.println("unclassified before: " + count(lake, UNCLASSIFIED));

        // 3. The pipeline: stream the images missing a classification, classify them at most CONCURRENCY at a
        //    time (the model call is blocking, so it runs on boundedElastic), and store each label derived from
        //    its image. Rows stream from the query while labels are written.
        Long classified = lake.queryRows(Query.fromJson(UNCLASSIFIED), QueryOptions.defaults())
                .map(row -> row.get("image"))
                .flatMap(imageId -> lake.getDatum(imageId)
                        .flatMap(image -> Mono.fromCallable(() -> FakeModel.classify(path(image), "resnet-v1"))
                                .subscribeOn(Schedulers.boundedElastic()))
                        .flatMap(label -> lake.addDatum(label, Map.of("model", "resnet-v1"), null, imageId)),
                        CONCURRENCY)
                .count()
                .block(Duration.ofMinutes(1));
        out.println("classified " + classified + " images, " + CONCURRENCY + " at a time");
        out.println("unclassified after: " + count(lake, UNCLASSIFIED));

        // 4. Read the result: each image with its latest label.
        QueryResult result = lake.queryData(CLASSIFIED, null, false).blockOptional().orElseThrow();
        for (Map<String, ObjectId> row : result.rows()) {
            List<Datum> pair = lake.getData(List.of(row.get("image"), row.get("label"))).collectList()
                    .blockOptional().orElseThrow();
            Map<?, ?> label = (Map<?, ?>) Objects.requireNonNull(pair.get(1).data(), "label data");
            out.println(path(pair.get(0)) + " -> " + label.get("label") + " (" + label.get("score") + ")");
        }
    }

    static int count(Datalake lake, String query) {
        return lake.queryData(query, null, false).blockOptional().orElseThrow().size();
    }

    static String path(Datum image) {
        return String.valueOf(((Map<?, ?>) Objects.requireNonNull(image.data(), "image data")).get("path"));
    }

    /** Stands in for a real model: a deterministic label from the file name, so the output is predictable. */
    static final class FakeModel {
        private static final String[] LABELS = {"cat", "dog", "bird"};

        private FakeModel() {
        }

        static Map<String, Object> classify(String path, String model) {
            int n = Integer.parseInt(path.substring(path.lastIndexOf('_') + 1, path.lastIndexOf('.')));
            Map<String, Object> label = new LinkedHashMap<>();
            label.put("type", "classification");
            label.put("label", LABELS[n % LABELS.length]);
            label.put("score", "resnet-v2".equals(model) ? 0.95 : (80 + n % 3 * 5) / 100.0);
            return label;
        }
    }
}
