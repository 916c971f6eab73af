package io.datalake.samples;

import static org.assertj.core.api.Assertions.assertThat;

import io.datalake.BlockingDatalake;
import io.datalake.Datalake;
import io.datalake.mongo.TestLakes;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** Runs every sample against the embedded server and checks what it prints, so the samples never rot. */
class EmbeddedSamplesTest {

    private static List<String> output(Consumer<PrintStream> sample) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8)) {
            sample.accept(out);
        }
        return bytes.toString(StandardCharsets.UTF_8).lines().collect(Collectors.toList());
    }

    @Test
    void imagePipelineClassifiesOnlyTheMissingImages() {
        List<String> lines;
        try (Datalake lake = TestLakes.newLake()) {
            lines = output(out -> ImagePipeline.run(lake, out));
        }
        assertThat(lines).startsWith(
                "added 10 images",
                "unclassified before: 7",
                "classified 7 images, 4 at a time",
                "unclassified after: 0");
        assertThat(lines.subList(4, lines.size())).containsExactly(
                "camera-1/img_000.jpg -> cat (0.8)",
                "camera-1/img_001.jpg -> dog (0.85)",
                "camera-1/img_002.jpg -> bird (0.9)",
                "camera-1/img_003.jpg -> cat (0.8)",
                "camera-1/img_004.jpg -> dog (0.85)",
                "camera-1/img_005.jpg -> bird (0.9)",
                "camera-1/img_006.jpg -> cat (0.8)",
                "camera-1/img_007.jpg -> dog (0.85)",
                "camera-1/img_008.jpg -> bird (0.9)",
                "camera-1/img_009.jpg -> cat (0.8)");
    }

    @Test
    void continuousClassifierClassifiesEveryImageOnceWithTwoWorkersAndDeadLettersTheCorruptOne() {
        List<String> lines;
        try (Datalake lake = TestLakes.newLake()) {
            lines = output(out -> ContinuousClassifier.run(lake, out));
        }
        // Intermediate progress depends on timing; where it settles does not.
        assertThat(lines.stream().filter(l -> l.startsWith("progress: ")).toList()).contains(
                "progress: 6 done, 0 leased, 0 waiting, 0 dead",
                "progress: 9 done, 0 leased, 0 waiting, 1 dead");
        assertThat(lines.stream().filter(l -> !l.startsWith("progress: ")).toList()).containsExactly(
                "added 6 images",
                "2 workers run classifier@resnet-v2, 2 images at a time each",
                "4 more images arrived while it runs",
                "stopped: 9 classified, 1 transient error retried, 1 dead letter",
                "camera-1/img_000.jpg -> cat",
                "camera-1/img_001.jpg -> dog",
                "camera-1/img_002.jpg -> bird",
                "camera-1/img_003.jpg -> cat",
                "camera-1/img_004.jpg -> dog",
                "camera-1/img_005.jpg -> bird",
                "camera-1/img_006.jpg -> cat",
                "camera-1/img_007.jpg -> (none)",
                "camera-1/img_008.jpg -> bird",
                "camera-1/img_009.jpg -> cat",
                "dead letter: camera-1/img_007.jpg after 1 attempt: DatalakeNonTransientException: corrupt image"
                        + " camera-1/img_007.jpg");
    }

    @Test
    void relabelShowsLatestAndEarliestLabels() {
        List<String> lines;
        try (Datalake lake = TestLakes.newLake()) {
            lines = output(out -> Relabel.run(lake, out));
        }
        assertThat(lines).containsExactly(
                "latest labels:",
                "  camera-1/img_000.jpg -> cat 0.95 by resnet-v2",
                "  camera-1/img_001.jpg -> dog 0.95 by resnet-v2",
                "  camera-1/img_002.jpg -> bird 0.9 by resnet-v1",
                "earliest labels:",
                "  camera-1/img_000.jpg -> cat 0.8 by resnet-v1",
                "  camera-1/img_001.jpg -> dog 0.85 by resnet-v1",
                "  camera-1/img_002.jpg -> bird 0.9 by resnet-v1");
    }

    @Test
    void lineageWalkPrintsAncestorsAndTheTree() {
        List<String> lines;
        try (BlockingDatalake lake = TestLakes.newLake().blocking()) {
            lines = output(out -> LineageWalk.run(lake, out));
        }
        assertThat(lines).containsExactly(
                "the box comes from: the resnet-v2 label, then the image",
                "lineage of the image (5 datums):",
                "  image path=camera-1/img_000.jpg",
                "    classification label=cat model=resnet-v1",
                "    classification label=\"tabby cat\" model=resnet-v2",
                "      bbox label=head model=detector-v1",
                "      bbox label=tail model=detector-v1",
                "around the resnet-v1 label: 2 datums, 1 edges");
    }

    @Test
    void quickStartRunsOnItsOwnEmbeddedLake() {
        PrintStream original = System.out;
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        System.setOut(new PrintStream(bytes, true, StandardCharsets.UTF_8));
        try {
            QuickStart.main(new String[0]);
        } finally {
            System.setOut(original);
        }
        String printed = bytes.toString(StandardCharsets.UTF_8);
        assertThat(printed).contains("added image", "directly derived from the image: [",
                "the image's whole tree, breadth-first: [");
        assertThat(printed.lines().filter(l -> l.startsWith("  ")).count()).isEqualTo(3);
    }
}
