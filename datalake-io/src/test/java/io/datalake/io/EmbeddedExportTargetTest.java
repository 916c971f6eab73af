package io.datalake.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.datalake.Datalake;
import io.datalake.InvalidArgumentException;
import io.datalake.mongo.TestLakes;
import io.datalake.query.Query;
import io.datalake.query.QueryOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.bson.Document;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Export targets that cannot be created fail typed, naming the path, and leave nothing behind. */
class EmbeddedExportTargetTest {
    @TempDir
    Path temp;
    private Datalake lake;
    private final Query query = Query.builder().base("row", new Document("metadata.kind", "row")).build();

    @BeforeEach
    void openLake() {
        lake = TestLakes.newLake(s -> { });
        lake.addDatum(Map.of("n", 1), Map.of("kind", "row"), null, null).block();
    }

    @AfterEach
    void closeLake() {
        lake.close();
    }

    @Test
    void aFileWhereTheParentFolderWouldBeIsAnInvalidArgumentNamingIt() throws Exception {
        Path file = Files.writeString(temp.resolve("notes.txt"), "a file, not a folder");
        for (Path out : List.of(file.resolve("out"), file.resolve("deeper").resolve("out"))) {
            assertThatThrownBy(() -> Exporter.of(lake).exportQuery(query, QueryOptions.defaults(), out,
                    ExportOptions.builder().build()).block())
                    .isInstanceOf(InvalidArgumentException.class)
                    .hasMessageContaining(out.toString())
                    .hasMessageContaining(file + " is not a folder");
        }
        try (Stream<Path> files = Files.list(temp)) {
            assertThat(files.collect(Collectors.toList())).containsExactly(file);
        }
        assertThat(Files.readString(file)).isEqualTo("a file, not a folder");
    }
}
