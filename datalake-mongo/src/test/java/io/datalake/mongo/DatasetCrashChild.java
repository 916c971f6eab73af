package io.datalake.mongo;

import io.datalake.Datalake;
import io.datalake.DatalakeSettings;
import io.datalake.Datum;
import io.datalake.NewDatum;
import io.datalake.dataset.AuditOptions;
import io.datalake.dataset.DatasetSource;
import io.datalake.dataset.VersionInfo;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.bson.types.ObjectId;
import reactor.core.publisher.Flux;

/**
 * The process {@link DatasetContract} kills between audit and publish: makes and audits a draft, reports its id
 * on standard output, then waits to be killed.
 */
public final class DatasetCrashChild {
    private DatasetCrashChild() {
    }

    /**
     * Runs the child.
     *
     * @param args the MongoDB URI, the database and optionally {@code writing} (killed while writing rows)
     * @throws InterruptedException never in practice: the parent kills this process
     */
    public static void main(String[] args) throws InterruptedException {
        mainWith(args);
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void mainWith(String[] args) throws InterruptedException {
        Datalake lake = Datalakes.create(DatalakeSettings.builder().mongoUri(args[0]).database(args[1])
                .actor("child").build());
        if (args.length > 2 && args[2].equals("writing")) {
            // Killed while its rows are being written: the first chunk is stored, the source never ends.
            Flux<ObjectId> source = Flux.concat(Flux.range(0, 10_001).map(i -> new ObjectId()),
                    reactor.core.publisher.Mono.<ObjectId>fromRunnable(() -> {
                        sleep(2_000);
                        System.out.println("WRITING");
                        System.out.flush();
                    }).subscribeOn(reactor.core.scheduler.Schedulers.boundedElastic()), Flux.never());
            lake.datasets().createDraft("crashw", DatasetSource.ids("image", source)).block();
            return;
        }
        List<ObjectId> ids = lake.addData(Flux.fromStream(IntStream.range(0, 20)
                .mapToObj(i -> NewDatum.builder().data(Map.of("i", i)).build()))).map(Datum::id).collectList()
                .block();
        VersionInfo draft = lake.datasets().createDraft("crash", DatasetSource.ids("image", ids)).block();
        lake.datasets().audit(draft.id(), AuditOptions.defaults(), List.of()).block();
        System.out.write(("AUDITED " + draft.id().toHexString() + "\n").getBytes(StandardCharsets.UTF_8), 0,
                ("AUDITED " + draft.id().toHexString() + "\n").length());
        System.out.flush();
        Thread.sleep(Long.MAX_VALUE);
    }
}
