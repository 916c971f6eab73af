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
    private QueryFile() {
    }

    /**
     * Reads and validates a query.
     *
     * @param source the file, or {@code -} for standard input
     * @param in standard input
     * @param option the option's name, for messages (e.g. {@code --query})
     * @return the parsed query, its structure and filters checked
     * @throws UsageException naming the file if it cannot be read, is not UTF-8, is empty or is not JSON
     * @throws io.datalake.InvalidQueryException if the query is not valid
     */
    static Query read(String source, InputStream in, String option) {
        String text;
        if ("-".equals(source)) {
            text = AddCommand.readStdin(in);
        } else {
            try {
                text = AddCommand.decodeUtf8(Files.readAllBytes(Path.of(source)), option + " " + source);
            } catch (NoSuchFileException e) {
                throw new UsageException("cannot read " + option + " " + source + ": no such file");
            } catch (IOException | InvalidPathException e) {
                throw new UsageException("cannot read " + option + " " + source + ": " + e.getMessage());
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
}
