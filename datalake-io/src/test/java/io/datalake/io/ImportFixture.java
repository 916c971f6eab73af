package io.datalake.io;

import static org.assertj.core.api.Assertions.assertThat;

import io.datalake.Datalake;
import io.datalake.RegistrySettings;
import io.datalake.mongo.TestLakes;
import java.awt.Color;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.bson.Document;
import org.bson.types.ObjectId;
import reactor.core.publisher.Flux;

/** An embedded lake with a file registry, and helpers to write images and read back what an import stored. */
final class ImportFixture implements AutoCloseable {
    final Path registry;
    final Datalake lake;

    ImportFixture(Path temp) {
        this.registry = temp.resolve("reg");
        this.lake = TestLakes.newLake(s -> s.registry(RegistrySettings.builder().allow(registry.toString()).build()));
    }

    ImportOptions.Builder options() {
        return ImportOptions.builder().registry(registry.toString());
    }

    /** Writes a small PNG whose pixels depend on {@code seed}, so different seeds give different bytes. */
    static Path png(Path file, int width, int height, int seed) {
        try {
            Files.createDirectories(file.getParent());
            BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
            for (int x = 0; x < width; x++) {
                for (int y = 0; y < height; y++) {
                    image.setRGB(x, y, new Color((x * 13 + seed * 71) % 256, (y * 29 + seed * 17) % 256,
                            (seed * 101) % 256).getRGB());
                }
            }
            ImageIO.write(image, "png", file.toFile());
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Every stored datum document, oldest first. */
    List<Document> documents() {
        return Flux.from(TestLakes.documents(lake).find().sort(new Document("_id", 1))).collectList().block();
    }

    List<Document> images() {
        return documents().stream().filter(d -> d.get("derived_from") == null).collect(Collectors.toList());
    }

    List<Document> annotations() {
        return documents().stream().filter(d -> d.get("derived_from") != null).collect(Collectors.toList());
    }

    /** The files in the registry folder (payload objects). */
    List<Path> registryFiles() {
        if (!Files.exists(registry)) {
            return List.of();
        }
        try (Stream<Path> walk = Files.walk(registry)) {
            return walk.filter(Files::isRegularFile).collect(Collectors.toList());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    byte[] payload(ObjectId id) {
        return (byte[]) lake.getDatum(id, true).block().data();
    }

    /** Asserts no two stored datums share an import key. */
    void assertNoDuplicateKeys() {
        List<Object> keys = new ArrayList<>();
        for (Document d : documents()) {
            keys.add(d.get("metadata", Document.class).get("import_key"));
        }
        assertThat(keys).doesNotContainNull().doesNotHaveDuplicates();
    }

    static Document meta(Document d) {
        return d.get("metadata", Document.class);
    }

    static Document data(Document d) {
        return d.get("data", Document.class);
    }

    static Document source(Document d) {
        return meta(d).get("source", Document.class);
    }

    /** Copies a test resource folder to a fresh folder. */
    static Path copyResource(String resource, Path target) {
        try {
            Path from = Path.of(ImportFixture.class.getResource(resource).toURI());
            try (Stream<Path> walk = Files.walk(from)) {
                for (Path p : walk.sorted(Comparator.naturalOrder()).collect(Collectors.toList())) {
                    Path to = target.resolve(from.relativize(p).toString());
                    if (Files.isDirectory(p)) {
                        Files.createDirectories(to);
                    } else {
                        Files.copy(p, to);
                    }
                }
            }
            return target;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    static Map<String, Object> map(Object... kv) {
        Map<String, Object> m = new java.util.LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return m;
    }

    @Override
    public void close() {
        lake.close();
    }
}
