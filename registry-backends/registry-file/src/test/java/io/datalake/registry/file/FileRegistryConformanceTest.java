package io.datalake.registry.file;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.datalake.InvalidArgumentException;
import io.datalake.RegistryException;
import io.datalake.RegistrySettings;
import io.datalake.registry.BlobSource;
import io.datalake.registry.Registries;
import io.datalake.registry.RegistryBackend;
import io.datalake.registry.RegistryKeys;
import io.datalake.registry.conformance.RegistryBackendConformance;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class FileRegistryConformanceTest extends RegistryBackendConformance {
    private static final AtomicInteger DIRS = new AtomicInteger();

    @Override
    protected RegistryBackend newBackend() {
        return FileRegistryBackend.open(tempDir.resolve("registry-" + DIRS.incrementAndGet()));
    }

    @Test
    void fileUriAndPlainPathShareOneHandle() {
        Path root = tempDir.resolve("shared");
        try (Registries registries = new Registries(RegistrySettings.defaults())) {
            RegistryBackend byUri = registries.resolve(root.toUri().toString());
            RegistryBackend byPath = registries.resolve(root.toString());
            RegistryBackend byDottedPath = registries.resolve(root + "/sub/..");
            assertThat(byPath).isSameAs(byUri).isSameAs(byDottedPath);
            assertThat(byUri.uri()).isEqualTo("file://" + root);
        }
    }

    @Test
    void objectsAreFilesUnderTheRootAndWritesLeaveNoTemporaryFiles() throws IOException {
        FileRegistryBackend file = (FileRegistryBackend) backend;
        file.put("x/y", BlobSource.ofBytes(new byte[] {1, 2, 3})).block(TIMEOUT);
        assertThat(Files.readAllBytes(file.root().resolve("x/y"))).containsExactly(1, 2, 3);
        try (var entries = Files.walk(file.root())) {
            assertThat(entries.map(Path::toString)).noneMatch(p -> p.endsWith(RegistryKeys.RESERVED_SUFFIX));
        }
    }

    @Test
    void aPipeUnderAKeyIsRefusedInsteadOfBlockingTheRead() throws Exception {
        FileRegistryBackend file = (FileRegistryBackend) backend;
        Path fifo = file.root().resolve("ab/pipe");
        Files.createDirectories(fifo.getParent());
        // Anyone who may write the registry directory can plant a FIFO: opening it for reading waits for a writer.
        org.junit.jupiter.api.Assumptions.assumeTrue(
                new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor() == 0, "mkfifo is available");
        assertThatThrownBy(() -> file.get("ab/pipe").blockLast(java.time.Duration.ofSeconds(20)))
                .isInstanceOf(RegistryException.class).hasMessageContaining("ab/pipe")
                .hasMessageContaining("not a regular file");
        assertThat(file.exists("ab/pipe").block(TIMEOUT)).isFalse();
    }

    @Test
    void leftoverTemporaryFilesAreInvisible() throws IOException {
        FileRegistryBackend file = (FileRegistryBackend) backend;
        Files.createDirectories(file.root().resolve("d"));
        Files.write(file.root().resolve("d/.k.123" + RegistryKeys.RESERVED_SUFFIX), new byte[] {9});
        assertThat(file.list("").collectList().block(TIMEOUT)).isEmpty();
    }

    @Test
    void relativeRootsAndRemoteHostsAreRefused() {
        assertThatThrownBy(() -> FileRegistryBackend.open(Path.of("relative")))
                .isInstanceOf(InvalidArgumentException.class);
        try (Registries registries = new Registries(RegistrySettings.defaults())) {
            assertThatThrownBy(() -> registries.resolve("file://otherhost/data"))
                    .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("remote host");
            assertThatThrownBy(() -> registries.resolve("azure://container/x"))
                    .isInstanceOf(InvalidArgumentException.class)
                    .hasMessageContaining("'azure'")
                    .hasMessageContaining("[file]");
        }
    }

    @Test
    void readsOfAMissingRootCreateNothingAndTheFirstWriteCreatesIt() {
        Path root = tempDir.resolve("not-yet/registry");
        FileRegistryBackend missing = FileRegistryBackend.open(root);

        assertThatThrownBy(() -> missing.get("ab/cd/key").blockLast(TIMEOUT))
                .isInstanceOf(RegistryException.class).hasMessageContaining("ab/cd/key");
        assertThat(missing.exists("ab/cd/key").block(TIMEOUT)).isFalse();
        assertThat(missing.stat("ab/cd/key").blockOptional(TIMEOUT)).isEmpty();
        assertThat(missing.list("").collectList().block(TIMEOUT)).isEmpty();
        missing.delete("ab/cd/key").block(TIMEOUT);
        assertThat(tempDir.resolve("not-yet")).as("a read has no side effect").doesNotExist();

        missing.put("ab/cd/key", BlobSource.ofBytes(new byte[] {7})).block(TIMEOUT);
        assertThat(root.resolve("ab/cd/key")).hasBinaryContent(new byte[] {7});
    }

    @Test
    void symbolicLinksLeadingOutsideTheRootAreRefusedOnWriteAndRead() throws IOException {
        FileRegistryBackend file = (FileRegistryBackend) backend;
        Path outside = Files.createDirectories(tempDir.resolve("outside"));
        Files.write(outside.resolve("secret"), new byte[] {4, 2});
        Files.createDirectories(file.root());
        Path dirLink = Files.createSymbolicLink(file.root().resolve("ab"), outside);
        Path fileLink = Files.createSymbolicLink(file.root().resolve("passwd"), outside.resolve("secret"));

        assertThatThrownBy(() -> file.put("ab/new", BlobSource.ofBytes(new byte[] {1})).block(TIMEOUT))
                .isInstanceOf(RegistryException.class)
                .hasMessageContaining("ab/new")
                .hasMessageContaining(dirLink.toString());
        assertThat(outside.resolve("new")).as("nothing written outside the root").doesNotExist();
        assertThatThrownBy(() -> file.get("ab/secret").blockLast(TIMEOUT))
                .isInstanceOf(RegistryException.class).hasMessageContaining(dirLink.toString());
        assertThatThrownBy(() -> file.get("passwd").blockLast(TIMEOUT))
                .isInstanceOf(RegistryException.class)
                .hasMessageContaining("passwd")
                .hasMessageContaining(fileLink.toString());
        assertThatThrownBy(() -> file.put("passwd", BlobSource.ofBytes(new byte[] {1})).block(TIMEOUT))
                .isInstanceOf(RegistryException.class);
        assertThatThrownBy(() -> file.exists("ab/secret").block(TIMEOUT)).isInstanceOf(RegistryException.class);
        assertThatThrownBy(() -> file.delete("ab/secret").block(TIMEOUT)).isInstanceOf(RegistryException.class);
        assertThat(outside.resolve("secret")).hasBinaryContent(new byte[] {4, 2});

        // A link that stays inside the root is an ordinary path.
        Files.createDirectories(file.root().resolve("real"));
        Files.createSymbolicLink(file.root().resolve("alias"), file.root().resolve("real"));
        file.put("alias/k", BlobSource.ofBytes(new byte[] {3})).block(TIMEOUT);
        assertThat(file.root().resolve("real/k")).hasBinaryContent(new byte[] {3});
        assertThat(file.get("alias/k").blockLast(TIMEOUT)).isNotNull();
    }
}
