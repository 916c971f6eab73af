package io.datalake.registry.file;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A 200 MB payload stored and streamed back through a lake in a JVM whose heap (128 MB) cannot hold it: proof that
 * neither the write path (spool, hash, upload) nor the streaming reads buffer whole payloads.
 */
class LargePayloadIT {
    private static final long SIZE = 200L * 1024 * 1024;

    @TempDir
    Path dir;

    @Test
    void twoHundredMegabytesStreamThroughA128MegabyteHeap() throws IOException, InterruptedException {
        String java = ProcessHandle.current().info().command().orElse("java");
        Path log = dir.resolve("child.log");
        Process child = new ProcessBuilder(List.of(java, "-Xmx128m",
                        "-cp", System.getProperty("java.class.path"),
                        LargePayloadRoundTrip.class.getName(),
                        dir.resolve("registry").toString(), Long.toString(SIZE)))
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        boolean finished = child.waitFor(5, TimeUnit.MINUTES);
        if (!finished) {
            child.destroyForcibly();
        }
        String output = Files.readString(log, StandardCharsets.UTF_8);
        assertThat(finished).as("child finished; output:%n%s", output).isTrue();
        assertThat(child.exitValue()).as("exit code; output:%n%s", output).isZero();
        assertThat(output).contains("OK maxHeap=");
        try (var files = Files.walk(dir.resolve("registry"))) {
            assertThat(files.filter(Files::isRegularFile)).hasSize(1);
        }
    }
}
