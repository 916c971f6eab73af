package io.datalake.registry.file;

import io.datalake.BlockingDatalake;
import io.datalake.Datalake;
import io.datalake.Datum;
import io.datalake.RegistrySettings;
import io.datalake.mongo.TestLakes;
import java.io.InputStream;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.SplittableRandom;

/**
 * Run in a child JVM with a small heap by {@link LargePayloadIT}: stores a generated payload much larger than the
 * heap through a lake and streams it back, checking size and hash. Exits 0 and prints {@code OK} on success.
 */
public final class LargePayloadRoundTrip {
    private LargePayloadRoundTrip() {
    }

    /**
     * Entry point.
     *
     * @param args the registry directory, the payload size in bytes
     * @throws Exception on any failure (non-zero exit)
     */
    public static void main(String[] args) throws Exception {
        Path registry = Path.of(args[0]);
        long size = Long.parseLong(args[1]);
        String expected = sha256(new GeneratedStream(size));
        try (Datalake reactive = TestLakes.newLake(s -> s.registry(RegistrySettings.builder()
                .spoolDirectory(registry.getParent()).build()))) {
            BlockingDatalake lake = reactive.blocking();
            Datum datum = lake.addDatum(new GeneratedStream(size), null, registry.toString(), null);
            check(datum.payload().size() == size, "stored size " + datum.payload().size());
            check(datum.payload().sha256().equals(expected), "stored hash " + datum.payload().sha256());

            String blockingRead;
            try (InputStream in = lake.openPayload(datum.id())) {
                blockingRead = sha256(in);
            }
            check(blockingRead.equals(expected), "streamed hash " + blockingRead);

            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            long[] count = new long[1];
            reactive.getPayload(datum.id()).doOnNext(b -> {
                count[0] += b.remaining();
                digest.update(b);
            }).blockLast();
            check(count[0] == size && HexFormat.of().formatHex(digest.digest()).equals(expected), "reactive read");
        }
        System.out.println("OK maxHeap=" + Runtime.getRuntime().maxMemory());
        // The shared embedded MongoDB server of TestLakes runs non-daemon threads; this JVM exists only for the check.
        System.exit(0);
    }

    private static void check(boolean ok, String what) {
        if (!ok) {
            throw new AssertionError("large payload round trip failed: " + what);
        }
    }

    private static String sha256(InputStream in) throws Exception {
        MessageDigest digest = MessageDigest.getInstance("SHA-256");
        byte[] buffer = new byte[64 * 1024];
        for (int n; (n = in.read(buffer)) >= 0; ) {
            digest.update(buffer, 0, n);
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    /** Deterministic pseudo-random bytes, generated as they are read. */
    static final class GeneratedStream extends InputStream {
        private final SplittableRandom random = new SplittableRandom(2024);
        private long left;

        GeneratedStream(long size) {
            this.left = size;
        }

        @Override
        public int read() {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            if (left <= 0) {
                return -1;
            }
            int n = (int) Math.min(len, left);
            for (int i = 0; i < n; i++) {
                b[off + i] = (byte) random.nextInt(256);
            }
            left -= n;
            return n;
        }
    }
}
