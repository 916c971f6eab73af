package io.datalake.benchmarks;

import io.datalake.Datalake;
import io.datalake.DatalakeSettings;
import io.datalake.dataset.DatasetSource;
import io.datalake.dataset.Datasets;
import io.datalake.dataset.VersionInfo;
import io.datalake.mongo.Datalakes;
import com.sun.management.GarbageCollectionNotificationInfo;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.nio.ByteBuffer;
import java.util.HashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import javax.management.Notification;
import javax.management.NotificationEmitter;
import javax.management.NotificationListener;
import javax.management.openmbean.CompositeData;
import org.bson.types.ObjectId;
import reactor.core.publisher.Flux;

/**
 * The child JVM of scenario 12: creates a version of {@code N} generated ids ({@code createDraft} from
 * {@code DatasetSource.ids} over a generated {@code Flux}, never a list), then reads it back in full with
 * {@code rows}, checking every row's number and id without keeping rows, and prints one line with the times and
 * each phase's peak heap. Started with a small {@code -Xmx} by {@link DatasetMemoryScenario}; an
 * {@link OutOfMemoryError} ends it with a non-zero exit code.
 */
public final class DatasetMemoryProbe {
    /** Prefix of the result line the parent looks for. */
    static final String RESULT = "DATASET_MEMORY_PROBE";
    /** First 4 bytes of every generated id: a fixed timestamp, so the id of row i is known to both phases. */
    private static final int TIMESTAMP = 0x5f000000;

    private DatasetMemoryProbe() {
    }

    /**
     * Creates and reads back the version and prints {@code DATASET_MEMORY_PROBE rows=N createSeconds=S
     * createPeakHeapBytes=B createLiveHeapBytes=B readRows=N readSeconds=S readPeakHeapBytes=B
     * readLiveHeapBytes=B maxHeapBytes=M}.
     *
     * @param args the MongoDB URI, the database, the batch size and the number of rows
     */
    public static void main(String[] args) {
        if (args.length != 4) {
            System.err.println("usage: DatasetMemoryProbe <mongo-uri> <database> <batch-size> <rows>");
            System.exit(2);
        }
        int rows = Integer.parseInt(args[3]);
        DatalakeSettings settings = DatalakeSettings.builder()
                .mongoUri(args[0])
                .database(args[1])
                .batchSize(Integer.parseInt(args[2]))
                .build();
        try (Datalake lake = Datalakes.create(settings)) {
            Datasets ds = lake.datasets();
            LiveHeap live = new LiveHeap();
            MemoryProbe.resetPeakHeap();
            long start = System.nanoTime();
            VersionInfo version = Objects.requireNonNull(ds.createDraft("bench-memory",
                    DatasetSource.ids("image", Flux.range(0, rows).map(DatasetMemoryProbe::id))).block());
            double createSeconds = (System.nanoTime() - start) / 1e9;
            long createPeak = MemoryProbe.peakHeapBytes();
            long createLive = live.takeMax();
            if (!version.complete() || version.rowCount() != rows) {
                throw new IllegalStateException("the draft has " + version.rowCount() + " rows, expected " + rows);
            }

            MemoryProbe.resetPeakHeap();
            long[] read = {0};
            start = System.nanoTime();
            ds.rows(version.id()).doOnNext(row -> {
                long i = read[0]++;
                if (row.number() != i || !id(i).equals(row.columns().get("image"))) {
                    throw new IllegalStateException("row " + i + " read back as " + row);
                }
            }).then().block();
            double readSeconds = (System.nanoTime() - start) / 1e9;
            long readPeak = MemoryProbe.peakHeapBytes();
            long readLive = live.takeMax();
            System.out.println(String.format(Locale.ROOT, "%s rows=%d createSeconds=%.3f createPeakHeapBytes=%d "
                            + "createLiveHeapBytes=%d readRows=%d readSeconds=%.3f readPeakHeapBytes=%d "
                            + "readLiveHeapBytes=%d maxHeapBytes=%d", RESULT, rows, createSeconds, createPeak,
                    createLive, read[0], readSeconds, readPeak, readLive, Runtime.getRuntime().maxMemory()));
        }
    }

    /**
     * The largest heap in use right after a garbage collection since the last {@link #takeMax()}: what the work
     * kept reachable (plus anything not yet collected by a partial collection), unlike the pools' peak, which
     * grows with the garbage a large heap lets accumulate. Collections are reported asynchronously, so a
     * collection at the very end of a phase may count in the next.
     */
    static final class LiveHeap implements NotificationListener {
        private final Set<String> heapPools = new HashSet<>();
        private final AtomicLong max = new AtomicLong();

        LiveHeap() {
            for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
                if (pool.getType() == MemoryType.HEAP) {
                    heapPools.add(pool.getName());
                }
            }
            for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
                if (gc instanceof NotificationEmitter emitter) {
                    emitter.addNotificationListener(this, null, null);
                }
            }
        }

        @Override
        public void handleNotification(Notification notification, Object handback) {
            if (!GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION.equals(notification.getType())) {
                return;
            }
            GarbageCollectionNotificationInfo info = GarbageCollectionNotificationInfo.from(
                    (CompositeData) notification.getUserData());
            long used = 0;
            for (Map.Entry<String, MemoryUsage> pool : info.getGcInfo().getMemoryUsageAfterGc().entrySet()) {
                if (heapPools.contains(pool.getKey())) {
                    used += pool.getValue().getUsed();
                }
            }
            max.accumulateAndGet(used, Math::max);
        }

        /** The largest heap after a collection since the last call (0 if none), and starts over. */
        long takeMax() {
            return max.getAndSet(0);
        }
    }

    /** The id of row {@code i}: distinct for every row, recomputed when reading back. */
    static ObjectId id(long i) {
        return new ObjectId(ByteBuffer.allocate(12).putInt(TIMESTAMP).putLong(i).array());
    }
}
