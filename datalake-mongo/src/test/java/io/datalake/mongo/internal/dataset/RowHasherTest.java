package io.datalake.mongo.internal.dataset;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import org.bson.types.ObjectId;
import org.junit.jupiter.api.Test;

/** The content hash is the one the README documents, so another client (the Python team's) can recompute it. */
class RowHasherTest {
    @Test
    void hashIsSha256OfColumnNamesThenTheRowsFixedWidthIds() throws Exception {
        List<String> columns = List.of("image", "label");
        ObjectId[][] rows = {
            {new ObjectId("65a000000000000000000001"), new ObjectId("65a000000000000000000002")},
            {new ObjectId("65a000000000000000000003"), new ObjectId("65a0000000000000000000ff")},
        };
        ByteArrayOutputStream documented = new ByteArrayOutputStream();
        for (String column : columns) {
            documented.write(column.getBytes(StandardCharsets.UTF_8));
            documented.write(0);
        }
        documented.write(1);
        for (ObjectId[] row : rows) {
            for (ObjectId id : row) {
                documented.write(HexFormat.of().parseHex(id.toHexString()));
            }
        }
        String expected = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                .digest(documented.toByteArray()));

        RowHasher hasher = new RowHasher(columns);
        for (ObjectId[] row : rows) {
            hasher.row(row);
        }
        assertThat(hasher.hex()).isEqualTo(expected);

        RowHasher swapped = new RowHasher(columns);
        swapped.row(rows[1]);
        swapped.row(rows[0]);
        assertThat(swapped.hex()).as("manifest order is part of the hash").isNotEqualTo(expected);
    }
}
