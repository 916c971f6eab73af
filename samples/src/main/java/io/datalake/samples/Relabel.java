package io.datalake.samples;

import io.datalake.Datalake;
import io.datalake.Datum;
import io.datalake.NewDatum;
import io.datalake.mongo.Datalakes;
import io.datalake.query.QueryResult;
import java.io.PrintStream;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.bson.types.ObjectId;
import reactor.core.publisher.Flux;

/**
 * Re-labelling with a newer model: labels are never overwritten; the new model's labels are added next to the
 * old ones, and the query's {@code strategy} picks which version a reader gets ({@code latest} or
 * {@code earliest}).
 */
public final class Relabel {
    private Relabel() {
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
     * Labels three images with resnet-v1, re-labels two with resnet-v2, and prints the latest and the earliest
     * label of each image.
     *
     * @param lake an empty lake
     * @param out where to print
     */
    public static void run(Datalake lake, PrintStream out) {
        List<Datum> images = lake.addData(Flux.range(0, 3).map(i -> NewDatum.of(
                        Map.of("type", "image", "path", String.format("camera-1/img_%03d.jpg", i)), null)))
                .collectList()
                .blockOptional().orElseThrow();
        label(lake, images, "resnet-v1");
        // The newer model only reached the first two images so far.
        label(lake, images.subList(0, 2), "resnet-v2");

        print(lake, out, "latest");
        print(lake, out, "earliest");
    }

    private static void label(Datalake lake, List<Datum> images, String model) {
        Flux.fromIterable(images)
                .concatMap(image -> lake.addDatum(
                        ImagePipeline.FakeModel.classify(ImagePipeline.path(image), model),
                        Map.of("model", model), null, image.id()))
                .blockLast();
    }

    private static void print(Datalake lake, PrintStream out, String strategy) {
        String query = "["
                + "{\"data.type\": \"image\", \"column\": \"image\", \"strategy\": \"earliest\"},"
                + "{\"data.type\": \"classification\", \"derived_from\": \"image\", \"column\": \"label\","
                + " \"strategy\": \"" + strategy + "\"}]";
        QueryResult result = lake.queryData(query, null, false).blockOptional().orElseThrow();
        out.println(strategy + " labels:");
        for (Map<String, ObjectId> row : result.rows()) {
            List<Datum> pair = lake.getData(List.of(row.get("image"), row.get("label"))).collectList()
                    .blockOptional().orElseThrow();
            Map<?, ?> label = (Map<?, ?>) Objects.requireNonNull(pair.get(1).data(), "label data");
            out.println("  " + ImagePipeline.path(pair.get(0)) + " -> " + label.get("label") + " "
                    + label.get("score") + " by " + pair.get(1).metadata().get("model"));
        }
    }
}
