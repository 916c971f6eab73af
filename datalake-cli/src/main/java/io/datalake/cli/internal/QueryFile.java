package io.datalake.cli.internal;

import io.datalake.query.Query;
import io.datalake.query.engine.QueryEngine;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * A query named by a {@code --query FILE} option: a JSON file, or {@code -} for standard input. Read and checked
 * before any connection, so a bad query exits with code 2 and costs no server round trip.
 */
final class QueryFile {
    /** The largest query file read: MongoDB's limit for one command, which the query must fit in. */
    static final int MAX_BYTES = 16 * 1024 * 1024;

    private QueryFile() {
    }

    /**
     * Reads and validates a query.
     *
     * @param source the file, or {@code -} for standard input
     * @param in standard input
     * @param option the option's name, for messages (e.g. {@code --query})
     * @return the parsed query, its structure and filters checked
     * @throws UsageException naming the file if it cannot be read, is larger than {@link #MAX_BYTES}, is not UTF-8,
     *     is empty or is not JSON
     * @throws io.datalake.InvalidQueryException if the query is not valid
     */
    static Query read(String source, InputStream in, String option) {
        String what = option + " " + source;
        String text;
        if ("-".equals(source)) {
            text = AddCommand.decodeUtf8(bounded(in, "standard input", what), "standard input");
        } else {
            try (InputStream file = Files.newInputStream(Path.of(source))) {
                text = AddCommand.decodeUtf8(bounded(file, source, what), what);
            } catch (NoSuchFileException e) {
                throw new UsageException("cannot read " + what + ": no such file");
            } catch (IOException | InvalidPathException e) {
                throw new UsageException("cannot read " + what + ": " + e.getMessage());
            }
        }
        if (text.isBlank()) {
            throw new UsageException(option + " " + source + " is empty");
        }
        // The same checks as add's JSON (numbers that do not fit, lone surrogates, depth) before the driver's
        // Extended JSON parser.
        Json.check(text, "the query");
        Query query = Query.fromJson(text);
        QueryEngine.validate(query);
        return query;
    }

    /**
     * Reads at most {@link #MAX_BYTES}: a query larger than a MongoDB command can carry is a mistake (a data file,
     * {@code /dev/zero}), and reading it whole would exhaust the heap or never end.
     */
    private static byte[] bounded(InputStream in, String name, String what) {
        byte[] bytes;
        try {
            bytes = in.readNBytes(MAX_BYTES + 1);
        } catch (IOException e) {
            throw new UsageException("cannot read " + what + ": " + e.getMessage());
        }
        if (bytes.length > MAX_BYTES) {
            throw new UsageException(what + ": " + name + " has more than " + MAX_BYTES + " bytes (16 MiB, the most"
                    + " a MongoDB command can carry); a query file is a small JSON document");
        }
        return bytes;
    }
}
