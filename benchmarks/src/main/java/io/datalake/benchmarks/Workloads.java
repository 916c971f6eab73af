package io.datalake.benchmarks;

import io.datalake.NewDatum;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Date;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Random;
import org.bson.Document;
import org.bson.types.ObjectId;

/** The lakes and datums the scenarios work on, generated deterministically from a seed. */
final class Workloads {
    private static final String[] LABELS = {"cat", "dog", "bird", "car"};

    private Workloads() {
    }

    /** Scenario 1's datum: small inline data and three metadata fields. */
    static NewDatum smallDatum(int i) {
        return NewDatum.of(Map.of("value", i, "label", LABELS[i % LABELS.length]), smallMetadata(i));
    }

    private static Map<String, Object> smallMetadata(int i) {
        return Map.of("project", "bench", "camera", "cam-" + (i % 16), "batch", i / 1000);
    }

    /**
     * The document the store writes for {@link #smallDatum}, in the stored layout (null fields included, as the
     * store writes them), for the raw-driver baseline.
     */
    static Document smallDocument(int i, Date addedAt) {
        return new Document("_id", new ObjectId())
                .append("data", new Document("value", i).append("label", LABELS[i % LABELS.length]))
                .append("registry_uri", null)
                .append("registry_key", null)
                .append("derived_from", null)
                .append("metadata", new Document(smallMetadata(i)))
                .append("added_at", addedAt);
    }

    static List<NewDatum> smallData(int count) {
        List<NewDatum> data = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            data.add(smallDatum(i));
        }
        return data;
    }

    /** Counts of what an image lake holds, known once it has been generated. */
    static final class ImageLakeShape {
        long classifiedImages;
        long unclassifiedImages;
        long classifications;
        long boxes;
        /** Rows of the 3-level latest/latest query: images whose newest classification has a box. */
        long latestLatestRows;

        long total() {
            return classifiedImages + unclassifiedImages + classifications + boxes;
        }

        @Override
        public String toString() {
            return String.format(java.util.Locale.ROOT,
                    "%,d datums: %,d images with 1-3 classifications each, %,d images with none, "
                            + "%,d classifications with 0-2 boxes each, %,d boxes",
                    total(), classifiedImages, unclassifiedImages, classifications, boxes);
        }
    }

    /**
     * An image pipeline lake, generated lazily (a 1M-datum lake is never held in memory): {@code images}
     * images with 1-3 classifications each, each classification with 0-2 boxes, and after every 20th such image
     * one image with no classification (what the "missing" query finds). Each image is followed by its
     * descendants, so most parents are in the same insert batch as their children.
     */
    static Iterable<NewDatum> imageLake(int images, long seed, ImageLakeShape shape) {
        return () -> new Iterator<>() {
            private final Random random = new Random(seed);
            private final ArrayDeque<NewDatum> pending = new ArrayDeque<>();
            private int classified;

            @Override
            public boolean hasNext() {
                if (pending.isEmpty() && classified < images) {
                    generateImage();
                }
                return !pending.isEmpty();
            }

            @Override
            public NewDatum next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                return pending.poll();
            }

            private void generateImage() {
                int n = classified++;
                ObjectId image = new ObjectId();
                pending.add(image(image, n));
                shape.classifiedImages++;
                int classifications = 1 + random.nextInt(3);
                int boxesOfLatest = 0;
                for (int c = 0; c < classifications; c++) {
                    ObjectId classification = new ObjectId();
                    pending.add(NewDatum.builder()
                            .id(classification)
                            .derivedFrom(image)
                            .data(Map.of("type", "classification", "label", LABELS[random.nextInt(LABELS.length)],
                                    "score", Math.round(random.nextDouble() * 1000) / 1000.0))
                            .metadata(Map.of("model", "resnet-v" + (1 + c % 2)))
                            .build());
                    shape.classifications++;
                    int boxes = random.nextInt(3);
                    // Generated later means a later (or equal) added_at and a larger ObjectId: the newest.
                    boxesOfLatest = boxes;
                    for (int b = 0; b < boxes; b++) {
                        pending.add(NewDatum.builder()
                                .derivedFrom(classification)
                                .data(Map.of("type", "bbox", "x", random.nextInt(600), "y", random.nextInt(400),
                                        "w", 8 + random.nextInt(120), "h", 8 + random.nextInt(120)))
                                .metadata(Map.of("model", "yolo-v8"))
                                .build());
                        shape.boxes++;
                    }
                }
                if (boxesOfLatest > 0) {
                    shape.latestLatestRows++;
                }
                if (classified % 20 == 0) {
                    pending.add(image(new ObjectId(), -classified));
                    shape.unclassifiedImages++;
                }
            }

            private NewDatum image(ObjectId id, int n) {
                return NewDatum.builder()
                        .id(id)
                        .data(Map.of("type", "image", "path", "img/" + n + ".jpg"))
                        .metadata(Map.of("project", "cv", "camera", "cam-" + Math.abs(n % 16),
                                "split", n % 5 == 0 ? "val" : "train"))
                        .build();
            }
        };
    }

    /** A tree below one root: level sizes grow geometrically to {@code descendants} nodes over {@code depth}. */
    static final class Tree {
        final ObjectId root = new ObjectId();
        final List<NewDatum> datums;
        final int[] levelSizes;

        Tree(int descendants, int depth) {
            levelSizes = levelSizes(descendants, depth);
            datums = new ArrayList<>(descendants + 1);
            datums.add(NewDatum.builder().id(root).data(Map.of("type", "root")).build());
            List<ObjectId> parents = List.of(root);
            for (int level = 0; level < depth; level++) {
                List<ObjectId> current = new ArrayList<>(levelSizes[level]);
                for (int i = 0; i < levelSizes[level]; i++) {
                    ObjectId id = new ObjectId();
                    current.add(id);
                    datums.add(NewDatum.builder()
                            .id(id)
                            .derivedFrom(parents.get(i % parents.size()))
                            .data(Map.of("type", "node", "level", level + 1))
                            .build());
                }
                parents = current;
            }
        }

        /** Sizes b, b^2, ... b^depth (rounded) for the branching b that sums to {@code total}. */
        static int[] levelSizes(int total, int depth) {
            if (depth < 1 || total < depth) {
                throw new IllegalArgumentException("a tree of depth " + depth + " needs at least " + depth
                        + " descendants, got " + total);
            }
            double low = 1;
            double high = total;
            for (int i = 0; i < 200; i++) {
                double mid = (low + high) / 2;
                if (geometricSum(mid, depth) < total) {
                    low = mid;
                } else {
                    high = mid;
                }
            }
            int[] sizes = new int[depth];
            int sum = 0;
            for (int level = 0; level < depth; level++) {
                sizes[level] = Math.max(1, (int) Math.round(Math.pow(low, level + 1)));
                sum += sizes[level];
            }
            sizes[depth - 1] += total - sum;
            return sizes;
        }

        private static double geometricSum(double b, int depth) {
            double sum = 0;
            for (int k = 1; k <= depth; k++) {
                sum += Math.pow(b, k);
            }
            return sum;
        }

        String describe() {
            Map<String, Integer> levels = new LinkedHashMap<>();
            for (int i = 0; i < levelSizes.length; i++) {
                levels.put("level " + (i + 1), levelSizes[i]);
            }
            return String.format(java.util.Locale.ROOT, "root + %,d descendants, depth %d %s",
                    datums.size() - 1, levelSizes.length, levels);
        }
    }
}
