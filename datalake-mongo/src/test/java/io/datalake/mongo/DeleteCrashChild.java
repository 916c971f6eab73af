package io.datalake.mongo;

import io.datalake.Datalake;
import io.datalake.DatalakeSettings;
import io.datalake.delete.DeleteOptions;
import org.bson.types.ObjectId;

/**
 * The process {@link DeleteContract} kills in the middle of a cascading delete: deletes a subtree in batches of
 * 5 and, once a given number of datums is deleted, reports {@code DELETED n} on standard output and stops inside
 * the progress callback until it is killed.
 */
public final class DeleteCrashChild {
    private DeleteCrashChild() {
    }

    /**
     * Runs the child.
     *
     * @param args the MongoDB URI, the database, the subtree's root id, after how many deleted datums to stop and
     *     optionally {@code race}: report every batch and go on deleting, so the kill lands wherever it lands
     */
    public static void main(String[] args) {
        Datalake lake = Datalakes.create(DatalakeSettings.builder().mongoUri(args[0]).database(args[1])
                .batchSize(5).build());
        long stopAfter = Long.parseLong(args[3]);
        boolean race = args.length > 4 && args[4].equals("race");
        lake.delete(new ObjectId(args[2]), DeleteOptions.builder().cascade(true).progress((deleted, total) -> {
            if (race) {
                System.out.println("DELETED " + deleted);
                System.out.flush();
            } else if (deleted >= stopAfter) {
                System.out.println("DELETED " + deleted);
                System.out.flush();
                try {
                    Thread.sleep(Long.MAX_VALUE);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }).build()).block();
    }
}
