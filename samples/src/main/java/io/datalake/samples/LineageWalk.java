package io.datalake.samples;

import io.datalake.BlockingDatalake;
import io.datalake.Datum;
import io.datalake.lineage.Lineage;
import io.datalake.lineage.LineageDirection;
import io.datalake.lineage.LineageNode;
import io.datalake.mongo.Datalakes;
import java.io.PrintStream;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.bson.types.ObjectId;

/**
 * A lineage walk: where did this box come from, and what was derived from this image? Uses the blocking API,
 * which reads like plain Java.
 */
public final class LineageWalk {
    private LineageWalk() {
    }

    /**
     * Runs the sample on an embedded lake.
     *
     * @param args ignored
     */
    public static void main(String[] args) {
        try (BlockingDatalake lake = Datalakes.embedded().blocking()) {
            run(lake, System.out);
        }
    }

    /**
     * Builds image, two labels and two boxes, then prints a box's ancestors and the image's lineage tree.
     *
     * @param lake an empty lake
     * @param out where to print
     */
    public static void run(BlockingDatalake lake, PrintStream out) {
        Datum image = lake.addDatum(Map.of("type", "image", "path", "camera-1/img_000.jpg"), null);
        Datum v1 = lake.addDatum(Map.of("type", "classification", "label", "cat"),
                Map.of("model", "resnet-v1"), null, image.id());
        Datum v2 = lake.addDatum(Map.of("type", "classification", "label", "tabby cat"),
                Map.of("model", "resnet-v2"), null, image.id());
        Datum box = lake.addDatum(Map.of("type", "bbox", "label", "head"), Map.of("model", "detector-v1"), null,
                v2.id());
        lake.addDatum(Map.of("type", "bbox", "label", "tail"), Map.of("model", "detector-v1"), null, v2.id());

        // Up: the chain of derived_from parents, nearest first.
        List<ObjectId> ancestors = lake.getAncestors(box.id());
        out.println("the box comes from: " + (ancestors.get(0).equals(v2.id()) ? "the resnet-v2 label" : "?")
                + ", then " + (ancestors.get(1).equals(image.id()) ? "the image" : "?"));

        // Down: the whole subtree, level by level, with a one-line summary of every datum.
        Lineage lineage = lake.getLineage(image.id(), LineageDirection.DOWN, Lineage.DEFAULT_MAX_DEPTH);
        out.println("lineage of the image (" + lineage.nodes().size() + " datums"
                + (lineage.truncated() ? ", truncated" : "") + "):");
        printTree(lineage, lineage.start(), out);

        // Both ways from the middle: ancestors above, descendants below, siblings left out.
        Lineage around = lake.getLineage(v1.id(), LineageDirection.BOTH, 5);
        out.println("around the resnet-v1 label: " + around.nodes().size() + " datums, "
                + around.edges().size() + " edges");
    }

    private static void printTree(Lineage lineage, ObjectId id, PrintStream out) {
        // The walk only visits the start and the children the lineage lists, all of them nodes.
        LineageNode node = Objects.requireNonNull(lineage.node(id), "lineage node");
        out.println("  ".repeat(node.depth() + 1) + node.summary());
        for (ObjectId child : lineage.children(id)) {
            printTree(lineage, child, out);
        }
    }
}
