package io.datalake.mongo.internal.dataset;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import org.bson.types.ObjectId;

/**
 * The content hash of a version: SHA-256 over, first, each column name in UTF-8 followed by one 0x00 byte, then
 * one 0x01 byte, then for each row in manifest order the 12 bytes of each of its ids in column order. Fixed-width
 * ids make the encoding unambiguous without separators.
 */
final class RowHasher {
    private final MessageDigest digest;
    /** One row's bytes, reused: one digest update per row and no array per id (reads hash every row). */
    private final ByteBuffer rowBytes;

    RowHasher(List<String> columns) {
        try {
            digest = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java has SHA-256", e);
        }
        for (String column : columns) {
            digest.update(column.getBytes(StandardCharsets.UTF_8));
            digest.update((byte) 0);
        }
        digest.update((byte) 1);
        rowBytes = ByteBuffer.allocate(12 * columns.size());
    }

    void row(ObjectId[] ids) {
        rowBytes.clear();
        for (ObjectId id : ids) {
            id.putToByteBuffer(rowBytes);
        }
        digest.update(rowBytes.array(), 0, rowBytes.position());
    }

    String hex() {
        return HexFormat.of().formatHex(digest.digest());
    }
}
