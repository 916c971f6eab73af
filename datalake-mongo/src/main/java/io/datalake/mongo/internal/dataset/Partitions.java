package io.datalake.mongo.internal.dataset;

import io.datalake.dataset.Row;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.bson.types.ObjectId;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * Grace hash partitioning of a row stream into local temporary files, so that whole-version work (duplicate rows,
 * diff) holds one partition in memory instead of one version. Equal rows hash to the same partition and each
 * partition file keeps the rows in stream (manifest) order, so a per-partition hash map sees every occurrence of a
 * row, in order. A record is the row number (8 bytes) then each id's 12 bytes in column order.
 */
final class Partitions {
    /**
     * Rows one partition aims at: the partition count is twice the row count divided by this, so a partition holds
     * about half of it on average (about 100 bytes of heap a row in a hash map: 100,000 rows ~ 10 MB).
     */
    static final int DEFAULT_PARTITION_ROWS = 100_000;
    /** Open files per partitioned stream stay below this (a 100M-row version still gets ~10,000-row partitions). */
    static final int MAX_PARTITIONS = 2048;

    private Partitions() {
    }

    /** The number of partitions for about {@code rows} rows. */
    static int count(long rows, int partitionRows) {
        long p = (Math.max(0, rows) * 2 + partitionRows - 1) / partitionRows;
        return (int) Math.max(1, Math.min(MAX_PARTITIONS, p));
    }

    /** A row's ids as bytes: equality and hashing for the per-partition maps. */
    record Key(byte[] bytes) {
        static Key of(Row row) {
            byte[] b = new byte[row.columns().size() * 12];
            int i = 0;
            for (ObjectId id : row.columns().values()) {
                id.putToByteBuffer(java.nio.ByteBuffer.wrap(b, i, 12));
                i += 12;
            }
            return new Key(b);
        }

        int partition(int partitions) {
            // A different mix from HashMap's, so one partition's keys still spread over its buckets.
            long h = 1125899906842597L;
            for (byte x : bytes) {
                h = 31 * h + x;
            }
            h ^= h >>> 33;
            h *= 0xff51afd7ed558ccdL;
            h ^= h >>> 33;
            return (int) Math.floorMod(h, (long) partitions);
        }

        ObjectId id(int column) {
            return new ObjectId(Arrays.copyOfRange(bytes, column * 12, column * 12 + 12));
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && Arrays.equals(bytes, k.bytes);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(bytes);
        }

        @Override
        public String toString() {
            return "Key" + Arrays.toString(bytes);
        }
    }

    /** One record read back from a partition file. */
    record Entry(long row, Key key) {
    }

    /** A temporary directory, deleted with everything in it when the stream that used it ends or is cancelled. */
    static <T> Flux<T> withTempDir(String prefix, java.util.function.Function<Path, Flux<T>> body) {
        return Flux.using(() -> Files.createTempDirectory(prefix), body, Partitions::deleteTree);
    }

    private static void deleteTree(Path dir) {
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            org.slf4j.LoggerFactory.getLogger(Partitions.class).warn("could not delete temporary files in {}", dir,
                    e);
        }
    }

    /** Writes {@code rows} into {@code partitions} files {@code dir/<name>-<p>}; file I/O off the driver threads. */
    static Mono<Void> write(Flux<Row> rows, Path dir, String name, int partitions) {
        return Mono.usingWhen(Mono.fromCallable(() -> {
                    List<DataOutputStream> out = new ArrayList<>(partitions);
                    try {
                        for (int p = 0; p < partitions; p++) {
                            out.add(new DataOutputStream(new BufferedOutputStream(
                                    Files.newOutputStream(file(dir, name, p)), 8192)));
                        }
                    } catch (IOException | RuntimeException e) {
                        close(out);
                        throw e;
                    }
                    return out;
                }).subscribeOn(Schedulers.boundedElastic()),
                out -> rows.publishOn(Schedulers.boundedElastic(), 256).doOnNext(r -> {
                    Key k = Key.of(r);
                    DataOutputStream o = out.get(k.partition(partitions));
                    try {
                        o.writeLong(r.number());
                        o.write(k.bytes());
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                }).then(),
                out -> Mono.fromRunnable(() -> close(out)));
    }

    private static void close(List<DataOutputStream> out) {
        for (DataOutputStream o : out) {
            try {
                o.close();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    private static Path file(Path dir, String name, int p) {
        return dir.resolve(name + "-" + p);
    }

    /**
     * Reads partition {@code p} back in the order it was written, one record at a time: a partition is never held
     * whole, so a skewed one (millions of equal rows) costs no memory here. Each iteration opens the file and
     * closes it at its end.
     */
    static Iterable<Entry> read(Path dir, String name, int p, int width) {
        return () -> new java.util.Iterator<Entry>() {
            private final DataInputStream in = open();
            private @org.jspecify.annotations.Nullable Entry next = advance();

            private DataInputStream open() {
                try {
                    return new DataInputStream(new BufferedInputStream(Files.newInputStream(file(dir, name, p)),
                            8192));
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }

            private @org.jspecify.annotations.Nullable Entry advance() {
                try {
                    long row;
                    try {
                        row = in.readLong();
                    } catch (EOFException end) {
                        in.close();
                        return null;
                    }
                    byte[] b = new byte[width * 12];
                    in.readFully(b);
                    return new Entry(row, new Key(b));
                } catch (IOException e) {
                    try {
                        in.close();
                    } catch (IOException suppressed) {
                        e.addSuppressed(suppressed);
                    }
                    throw new UncheckedIOException(e);
                }
            }

            @Override
            public boolean hasNext() {
                return next != null;
            }

            @Override
            public Entry next() {
                Entry e = next;
                if (e == null) {
                    throw new java.util.NoSuchElementException();
                }
                next = advance();
                return e;
            }
        };
    }

    /**
     * For each partition, the row numbers of {@code base} rows equal to some row of {@code removed} (every
     * occurrence), written ascending to {@code dir/drop-<p>}.
     *
     * @throws io.datalake.InvalidArgumentException if a removed row is not a row of the base, naming it
     */
    static void writeDropped(Path dir, int partitions, List<String> columns, String base) {
        int width = columns.size();
        for (int p = 0; p < partitions; p++) {
            java.util.Set<Key> removed = new java.util.HashSet<>();
            for (Entry e : read(dir, "removed", p, width)) {
                removed.add(e.key());
            }
            java.util.Set<Key> unmatched = new java.util.HashSet<>(removed);
            try (DataOutputStream out = new DataOutputStream(new BufferedOutputStream(
                    Files.newOutputStream(file(dir, "drop", p)), 8192))) {
                if (removed.isEmpty()) {
                    continue;
                }
                for (Entry e : read(dir, "base", p, width)) {
                    if (removed.contains(e.key())) {
                        out.writeLong(e.row());
                        unmatched.remove(e.key());
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            // A removed row the base does not have is most likely a mistake (a wrong id, the wrong base): refused.
            for (Key k : unmatched) {
                java.util.Map<String, String> row = new java.util.LinkedHashMap<>();
                for (int c = 0; c < width; c++) {
                    row.put(columns.get(c), k.id(c).toHexString());
                }
                throw new io.datalake.InvalidArgumentException("removed row " + row + " is not a row of " + base);
            }
        }
    }

    /**
     * The dropped row numbers of all partitions in ascending order: a k-way merge holding one buffered reader per
     * partition. Not thread-safe; closes its files when exhausted or closed.
     */
    static final class DroppedRows implements AutoCloseable {
        private final List<DataInputStream> in = new ArrayList<>();
        private final java.util.PriorityQueue<long[]> heads =
                new java.util.PriorityQueue<>(Comparator.comparingLong((long[] h) -> h[0]));

        DroppedRows(Path dir, int partitions) {
            try {
                for (int p = 0; p < partitions; p++) {
                    in.add(new DataInputStream(new BufferedInputStream(Files.newInputStream(file(dir, "drop", p)),
                            8192)));
                    advance(p);
                }
            } catch (IOException e) {
                close();
                throw new UncheckedIOException(e);
            }
        }

        private void advance(int p) throws IOException {
            try {
                heads.add(new long[] {in.get(p).readLong(), p});
            } catch (EOFException end) {
                // this partition has no more dropped rows
            }
        }

        /** Whether row {@code number} is dropped; numbers must be asked in ascending order. */
        boolean dropped(long number) {
            try {
                while (!heads.isEmpty() && heads.peek()[0] < number) {
                    advance((int) heads.poll()[1]);
                }
                if (!heads.isEmpty() && heads.peek()[0] == number) {
                    advance((int) heads.poll()[1]);
                    return true;
                }
                return false;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        @Override
        public void close() {
            for (DataInputStream s : in) {
                try {
                    s.close();
                } catch (IOException e) {
                    // reading is over; the directory is deleted next
                }
            }
        }
    }
}
