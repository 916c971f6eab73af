package io.datalake.query.engine.internal;

import com.mongodb.MongoServerException;
import java.util.Set;

/**
 * Tells a server's refusal of a query (the user's filter is malformed or uses something the server cannot run)
 * from an operational failure (network, timeout, authentication, failover), which must stay retryable and is not
 * the query's fault.
 */
final class ServerErrors {
    /**
     * Named server codes that only a malformed or unsupported filter causes: BadValue, FailedToParse, TypeMismatch,
     * Overflow, IndexNotFound ({@code $text} without a text index), InvalidPath, DollarPrefixedFieldName,
     * EmptyFieldName, InvalidPipelineOperator, QueryFeatureNotAllowed, ConversionFailure, NoQueryExecutionPlans
     * (e.g. {@code $near} without a geo index) and InvalidBSONType.
     */
    static final Set<Integer> BAD_QUERY_CODES = Set.of(2, 9, 14, 15, 27, 30, 52, 56, 168, 224, 241, 291, 357);

    /**
     * The server names every error it has a category for (network, interruption, not primary, shutdown, time
     * limit, authorization ...). Errors without a name come from a single assertion site and are reported as
     * {@code Location<code>}: on a find these are raised while parsing or evaluating the filter, e.g. 51091
     * (invalid regex), 16020 (wrong number of expression arguments), 51024, 17287.
     */
    private static final String LOCATION_PREFIX = "Location";

    private ServerErrors() {
    }

    /**
     * Returns whether a failure is the server refusing the query itself.
     *
     * @param error a failure of a find
     * @return true for query-syntax and bad-value errors, false for everything else
     */
    static boolean isInvalidQuery(Throwable error) {
        if (!(error instanceof MongoServerException)) {
            return false;
        }
        MongoServerException server = (MongoServerException) error;
        String name = server.getErrorCodeName();
        return BAD_QUERY_CODES.contains(server.getCode())
                || (name != null && name.startsWith(LOCATION_PREFIX) && server.getCode() > 0);
    }
}
