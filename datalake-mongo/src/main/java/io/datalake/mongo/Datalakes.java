package io.datalake.mongo;

import io.datalake.Datalake;
import io.datalake.DatalakeException;
import io.datalake.DatalakeSettings;
import io.datalake.mongo.internal.MongoDatalake;

/**
 * Creates MongoDB-backed lakes.
 *
 * <pre>{@code
 * // a real MongoDB
 * try (Datalake lake = Datalakes.create(DatalakeSettings.builder()
 *         .mongoUri("mongodb://localhost:27017").database("vision").build())) { ... }
 *
 * // an in-process lake for tests and demos, in one line
 * try (Datalake lake = Datalakes.embedded()) { ... }
 * }</pre>
 */
public final class Datalakes {
    private Datalakes() {
    }

    /**
     * Connects a lake and creates its indexes. Without a MongoDB URI in the settings, starts an embedded
     * in-process server that the lake owns and stops on close.
     *
     * @param settings the lake's settings
     * @return the open lake
     * @throws DatalakeException if the server cannot be reached or the indexes cannot be created
     */
    public static Datalake create(DatalakeSettings settings) {
        return MongoDatalake.open(settings);
    }

    /**
     * Starts an embedded in-process lake with default settings: an empty in-memory MongoDB-compatible server on
     * 127.0.0.1 that is stopped when the lake is closed.
     *
     * @return the open lake
     * @throws DatalakeException if the server cannot start
     */
    public static Datalake embedded() {
        return create(DatalakeSettings.builder().build());
    }
}
