package io.datalake.mongo.internal.dataset;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A partition is streamed from its file, never loaded whole: an audit of a draft whose 3,000,000 rows are all equal
 * (so all land in one partition) completes in a JVM with a 48 MB heap.
 */
class SkewedPartitionsTest {
    @Test
    void theDuplicateCheckOfMillionsOfEqualRowsRunsInASmallHeap() throws Exception {
        String javaCommand = ProcessHandle.current().info().command().orElse("java");
        Process child = new ProcessBuilder(List.of(javaCommand, "-Xmx48m", "-cp", System.getProperty("java.class.path"),
                SkewedPartitionChild.class.getName(), "3000000")).redirectErrorStream(true).start();
        StringBuilder out = new StringBuilder();
        // Before partitions were streamed, the child ran out of heap and hung: bounded wait, then killed.
        CompletableFuture<Void> reading = CompletableFuture.runAsync(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(child.getInputStream(),
                    StandardCharsets.UTF_8))) {
                for (String line = r.readLine(); line != null; line = r.readLine()) {
                    synchronized (out) {
                        out.append(line).append('\n');
                    }
                }
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        try {
            assertThat(child.waitFor(3, TimeUnit.MINUTES)).as("the child finished").isTrue();
            reading.get(1, TimeUnit.MINUTES);
        } finally {
            child.destroyForcibly();
        }
        synchronized (out) {
            assertThat(out.toString()).contains("FAILURES 2999999");
        }
        assertThat(child.exitValue()).isZero();
    }
}
