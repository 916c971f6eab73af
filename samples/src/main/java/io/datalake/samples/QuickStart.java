package io.datalake.samples;

import io.datalake.BlockingDatalake;
import io.datalake.Datum;
import io.datalake.mongo.Datalakes;
import java.util.List;
import java.util.Map;
import org.bson.types.ObjectId;

/**
 * The smallest complete use of the lake: start an embedded lake, add an image and two datums derived from it,
 * then read them back and walk the derivation tree.
 */
public final class QuickStart {
    private QuickStart() {
    }

    /**
     * Runs the sample and prints what each step shows.
     *
     * @param args ignored
     */
    public static void main(String[] args) {
        try (BlockingDatalake lake = Datalakes.embedded().blocking()) {
            Datum image = lake.addDatum(Map.of("type", "image", "path", "cats/001.jpg"), Map.of("project", "cv"));
            Datum label = lake.addDatum(Map.of("type", "classification", "label", "cat", "score", 0.97),
                    Map.of("model", "resnet-v1"), null, image.id());
            Datum box = lake.addDatum(Map.of("type", "bbox", "x", 10, "y", 20, "w", 64, "h", 48),
                    Map.of("model", "yolo-v8"), null, label.id());
            System.out.println("added image          " + image);
            System.out.println("added classification " + label);
            System.out.println("added box            " + box);

            List<ObjectId> children = lake.getDirectlyDerivedData(image.id());
            System.out.println("directly derived from the image: " + children);
            List<ObjectId> tree = lake.getIndirectlyDerivedData(image.id());
            System.out.println("the image's whole tree, breadth-first: " + tree);
            List<Datum> read = lake.getData(tree);
            for (Datum datum : read) {
                System.out.println("  " + datum.id() + " " + datum.data());
            }
        }
    }
}
