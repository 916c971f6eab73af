package io.datalake.registry.file;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.datalake.InvalidArgumentException;
import io.datalake.RegistrySettings;
import io.datalake.registry.BlobSource;
import io.datalake.registry.RegistryBackend;
import io.datalake.registry.RegistryKeys;
import io.datalake.registry.conformance.RegistryBackendConformance;
import io.datalake.registry.internal.Registries;
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
}
