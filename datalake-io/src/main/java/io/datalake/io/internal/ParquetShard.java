package io.datalake.io.internal;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Map;
import org.apache.parquet.conf.ParquetConfiguration;
import org.apache.parquet.conf.PlainParquetConfiguration;
import org.apache.parquet.hadoop.ParquetFileWriter;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.api.WriteSupport;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.io.OutputFile;
import org.apache.parquet.io.PositionOutputStream;
import org.apache.parquet.io.api.RecordConsumer;
import org.jspecify.annotations.Nullable;

/**
 * One Parquet file of an export, written row by row with parquet-java (SNAPPY, row groups closed at a row count or a
 * byte size, whichever comes first), hashed as it is written and recorded in the manifest when finished.
 *
 * <p>parquet-java runs without Hadoop's file system: a {@link PlainParquetConfiguration} and our own
 * {@link OutputFile}; memory is one row group's buffers.
 */
final class ParquetShard {
    /**
     * The row-group byte cap of a file holding payload bytes. parquet-java's estimate counts each buffered value
     * once, but under G1 a value of about a region's size (1 MiB in a 256 MiB heap) is a humongous object using two
     * regions: a row group of 1 MiB payloads occupies about twice its size, so payload row groups are kept smaller.
     */
    static final long PAYLOAD_ROW_GROUP_BYTES = 32L << 20;
    /** A row group is closed when its buffers pass this size, even before the row count is reached. */
    static final long ROW_GROUP_BYTES = 64L << 20;
    /** The smallest row-group byte cap of one writer sharing the budget with others. */
    static final long MIN_ROW_GROUP_BYTES = 4L << 20;

    private final Workspace workspace;
    private final String relative;
    private final HashingFile file;
    private final ParquetWriter<ParquetTable.RowInput> writer;
    private long rows;
    private boolean closed;

    /**
     * Creates the file and its writer.
     *
     * @param workspace the partial folder
     * @param relative the file's path in the export
     * @param table the schema and row writing
     * @param footer key/value metadata for the footer
     * @param rowGroupRows rows per row group
     * @param sharing how many writers are open at the same time: they share {@value #ROW_GROUP_BYTES} bytes of
     *     row-group buffers ({@value #PAYLOAD_ROW_GROUP_BYTES} when the files hold payload bytes), at least
     *     {@value #MIN_ROW_GROUP_BYTES} each
     */
    ParquetShard(Workspace workspace, String relative, ParquetTable table, Map<String, String> footer,
            int rowGroupRows, int sharing) throws IOException {
        this.workspace = workspace;
        this.relative = relative;
        Path path = workspace.dir().resolve(relative);
        Path parent = path.getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        this.file = new HashingFile(path);
        Builder builder = new Builder(file, table, footer)
                .withConf(new PlainParquetConfiguration())
                .withWriteMode(ParquetFileWriter.Mode.CREATE)
                .withCompressionCodec(CompressionCodecName.SNAPPY)
                .withRowGroupRowCountLimit(rowGroupRows)
                .withRowGroupSize(rowGroupBytes(table, sharing));
        for (String bytesColumn : table.bytesColumns()) {
            builder.withDictionaryEncoding(bytesColumn, false);
        }
        if (table.holdsPayloadBytes()) {
            // parquet-java checks the buffered size only every 100 rows at first: 100 payloads of some MiB would
            // blow far past the row-group cap before the first check.
            builder.withMinRowCountForPageSizeCheck(1);
        }
        this.writer = builder.build();
    }

    static long rowGroupBytes(ParquetTable table, int sharing) {
        long budget = table.holdsPayloadBytes() ? PAYLOAD_ROW_GROUP_BYTES : ROW_GROUP_BYTES;
        return Math.max(MIN_ROW_GROUP_BYTES, budget / Math.max(1, sharing));
    }

    void write(ParquetTable.RowInput row) throws IOException {
        writer.write(row);
        rows++;
    }

    long rows() {
        return rows;
    }

    String relative() {
        return relative;
    }

    /** Closes the writer (writing the footer), flushes the file to disk and records it in the manifest. */
    void finish() throws IOException {
        closed = true;
        writer.close();
        Workspace.force(file.path, false);
        workspace.addFile(relative, file.size, HexFormat.of().formatHex(file.sha.digest()));
    }

    /** Closes without caring about the result; the partial folder is deleted next. Never throws. */
    void abort() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            writer.close();
        } catch (IOException | RuntimeException e) {
            // Only after a failure: the file is deleted with the partial folder.
        }
    }

    private static final class Builder extends ParquetWriter.Builder<ParquetTable.RowInput, Builder> {
        private final ParquetTable table;
        private final Map<String, String> footer;

        Builder(OutputFile file, ParquetTable table, Map<String, String> footer) {
            super(file);
            this.table = table;
            this.footer = footer;
        }

        @Override
        protected Builder self() {
            return this;
        }

        @Override
        @SuppressWarnings("deprecation")
        protected WriteSupport<ParquetTable.RowInput> getWriteSupport(org.apache.hadoop.conf.Configuration conf) {
            return new RowWriteSupport(table, footer);
        }

        @Override
        protected WriteSupport<ParquetTable.RowInput> getWriteSupport(ParquetConfiguration conf) {
            return new RowWriteSupport(table, footer);
        }
    }

    /** Streams each row's values into parquet-java's record consumer: no intermediate row objects. */
    private static final class RowWriteSupport extends WriteSupport<ParquetTable.RowInput> {
        private final ParquetTable table;
        private final Map<String, String> footer;
        private @Nullable RecordConsumer consumer;

        RowWriteSupport(ParquetTable table, Map<String, String> footer) {
            this.table = table;
            this.footer = footer;
        }

        @Override
        public WriteContext init(org.apache.hadoop.conf.Configuration conf) {
            return new WriteContext(table.schema(), footer);
        }

        @Override
        public WriteContext init(ParquetConfiguration conf) {
            return new WriteContext(table.schema(), footer);
        }

        @Override
        public void prepareForWrite(RecordConsumer recordConsumer) {
            this.consumer = recordConsumer;
        }

        @Override
        public void write(ParquetTable.RowInput row) {
            try {
                table.write(java.util.Objects.requireNonNull(consumer), row);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
    }

    /** An output file written front to back (parquet-java never seeks), hashed and counted on the way. */
    private static final class HashingFile implements OutputFile {
        final Path path;
        final MessageDigest sha = Digests.sha256();
        long size;

        HashingFile(Path path) {
            this.path = path;
        }

        @Override
        public PositionOutputStream create(long blockSizeHint) throws IOException {
            OutputStream out = new BufferedOutputStream(Files.newOutputStream(path, StandardOpenOption.CREATE_NEW,
                    StandardOpenOption.WRITE), 1 << 16);
            return new PositionOutputStream() {
                @Override
                public long getPos() {
                    return size;
                }

                @Override
                public void write(int b) throws IOException {
                    out.write(b);
                    sha.update((byte) b);
                    size++;
                }

                @Override
                public void write(byte[] b, int off, int len) throws IOException {
                    out.write(b, off, len);
                    sha.update(b, off, len);
                    size += len;
                }

                @Override
                public void flush() throws IOException {
                    out.flush();
                }

                @Override
                public void close() throws IOException {
                    out.close();
                }
            };
        }

        @Override
        public PositionOutputStream createOrOverwrite(long blockSizeHint) throws IOException {
            return create(blockSizeHint);
        }

        @Override
        public boolean supportsBlockSize() {
            return false;
        }

        @Override
        public long defaultBlockSize() {
            return 0;
        }

        @Override
        public String getPath() {
            return path.toString();
        }
    }
}
