package io.datalake.mongo;

import io.datalake.Datalake;
import io.datalake.DatalakeSettings;
import io.datalake.RegistrySettings;
import io.datalake.gc.GcOptions;
import java.time.Duration;

/**
 * The process a garbage-collection kill test kills mid-run: collects with a zero grace period and small batches in a
 * loop until it is killed. Public for the backend modules' tests.
 */
public final class GcCrashChild {
    private GcCrashChild() {
    }

    /**
     * Runs the child.
     *
     * @param args the MongoDB URI, the database and the registry URI
     */
    public static void main(String[] args) {
        Datalake lake = Datalakes.create(DatalakeSettings.builder().mongoUri(args[0]).database(args[1])
                .registry(RegistrySettings.builder().defaultRegistry(args[2]).build()).build());
        GcOptions options = GcOptions.builder().grace(Duration.ZERO).batchSize(5).build();
        while (true) {
            lake.gc(options).block();
        }
    }
}
