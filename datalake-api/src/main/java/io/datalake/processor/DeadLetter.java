package io.datalake.processor;

import java.time.Instant;
import org.bson.types.ObjectId;

/**
 * An input a processor version gave up on: its function failed with a non-transient error, or failed
 * {@link ProcessorOptions#maxAttempts()} times. It stays a dead letter, and is not processed again, until
 * {@link Processors#retryDeadLetters} puts it back.
 *
 * @param processor the processor's name
 * @param version its version
 * @param input the input datum's id
 * @param attempts how many times a worker took the input
 * @param failures how many attempts failed
 * @param errorType the class name of the last error
 * @param errorMessage the message of the last error (cut to a bounded length)
 * @param at when the input became a dead letter
 */
public record DeadLetter(String processor, String version, ObjectId input, int attempts, int failures,
        String errorType, String errorMessage, Instant at) {
}
