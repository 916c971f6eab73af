package io.datalake.mongo.internal;

import com.mongodb.ErrorCategory;
import com.mongodb.MongoBulkWriteException;
import com.mongodb.MongoWriteException;
import io.datalake.DatalakeException;
import io.datalake.DatumValidationException;
import io.datalake.query.engine.internal.DriverTimeouts;

/** Maps driver failures to datalake exceptions, keeping the driver's exception as the cause. */
final class StoreErrors {
    private StoreErrors() {
    }

    static Throwable translate(String context, Throwable error) {
        if (error instanceof DatalakeException) {
            return error;
        }
        Throwable timeout = DriverTimeouts.translate(context, error);
        if (timeout != null) {
            return timeout;
        }
        if (isDuplicateKey(error)) {
            return new DatumValidationException(context + ": a datum with this id already exists ("
                    + error.getMessage() + ")", error);
        }
        return new DatalakeException(context + " failed: " + error.getMessage(), error);
    }

    private static boolean isDuplicateKey(Throwable error) {
        if (error instanceof MongoWriteException) {
            return ((MongoWriteException) error).getError().getCategory() == ErrorCategory.DUPLICATE_KEY;
        }
        if (error instanceof MongoBulkWriteException) {
            return ((MongoBulkWriteException) error).getWriteErrors().stream()
                    .anyMatch(e -> e.getCategory() == ErrorCategory.DUPLICATE_KEY);
        }
        return false;
    }
}
