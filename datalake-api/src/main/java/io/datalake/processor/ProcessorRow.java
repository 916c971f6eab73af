package io.datalake.processor;

import io.datalake.Datum;
import java.util.Map;
import org.bson.types.ObjectId;

/**
 * One input of a {@link Processor}: the input datum (read without its payload; fetch it with
 * {@link io.datalake.Datalake#getPayload(ObjectId)} when the function needs the bytes) and the ids of every column
 * of the row it came from.
 *
 * @param input the input datum
 * @param columns the row: column name to datum id, the input column included (a {@code missing} column is absent)
 * @param attempt which attempt this is for this input and processor version, 1 for the first
 */
public record ProcessorRow(Datum input, Map<String, ObjectId> columns, int attempt) {
    /**
     * Copies the columns.
     *
     * @param input the input datum
     * @param columns the row's columns
     * @param attempt the attempt number, 1 or more
     */
    public ProcessorRow {
        columns = Map.copyOf(columns);
    }

    /**
     * Returns the id of the input datum.
     *
     * @return the input id
     */
    public ObjectId inputId() {
        return input.id();
    }
}
