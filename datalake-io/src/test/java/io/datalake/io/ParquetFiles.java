package io.datalake.io;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.parquet.ParquetReadOptions;
import org.apache.parquet.column.page.PageReadStore;
import org.apache.parquet.conf.PlainParquetConfiguration;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.example.data.simple.convert.GroupRecordConverter;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.metadata.ParquetMetadata;
import org.apache.parquet.io.ColumnIOFactory;
import org.apache.parquet.io.LocalInputFile;
import org.apache.parquet.io.MessageColumnIO;
import org.apache.parquet.io.RecordReader;
import org.apache.parquet.schema.GroupType;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType;
import org.apache.parquet.schema.Type;

/** Reads an exported Parquet file back with parquet-java, the library that wrote it (no Hadoop file system). */
public final class ParquetFiles {
    /** A file's schema, footer key/values, row-group sizes and rows (column name to Java value; nulls absent). */
    public record Read(MessageType schema, Map<String, String> footer, List<Long> rowGroups, List<Map<String, Object>> rows) {
    }

    private ParquetFiles() {
    }

    public static Read read(Path file) throws IOException {
        ParquetReadOptions options = ParquetReadOptions.builder(new PlainParquetConfiguration()).build();
        try (ParquetFileReader reader = ParquetFileReader.open(new LocalInputFile(file), options)) {
            ParquetMetadata footer = reader.getFooter();
            MessageType schema = footer.getFileMetaData().getSchema();
            MessageColumnIO io = new ColumnIOFactory().getColumnIO(schema);
            List<Long> groups = new ArrayList<>();
            List<Map<String, Object>> rows = new ArrayList<>();
            PageReadStore pages;
            while ((pages = reader.readNextRowGroup()) != null) {
                groups.add(pages.getRowCount());
                RecordReader<Group> records = io.getRecordReader(pages, new GroupRecordConverter(schema));
                for (long i = 0; i < pages.getRowCount(); i++) {
                    rows.add(values(records.read(), schema));
                }
            }
            return new Read(schema, footer.getFileMetaData().getKeyValueMetaData(), groups, rows);
        }
    }

    private static Map<String, Object> values(Group g, GroupType type) {
        Map<String, Object> row = new LinkedHashMap<>();
        for (int i = 0; i < type.getFieldCount(); i++) {
            Type field = type.getType(i);
            if (g.getFieldRepetitionCount(i) == 0) {
                continue;
            }
            if (!field.isPrimitive()) {
                row.put(field.getName(), values(g.getGroup(i, 0), field.asGroupType()));
                continue;
            }
            PrimitiveType p = field.asPrimitiveType();
            Object v = switch (p.getPrimitiveTypeName()) {
                case INT64 -> g.getLong(i, 0);
                case INT32 -> g.getInteger(i, 0);
                case DOUBLE -> g.getDouble(i, 0);
                case BOOLEAN -> g.getBoolean(i, 0);
                case BINARY -> p.getLogicalTypeAnnotation() == null ? g.getBinary(i, 0).getBytes()
                        : g.getString(i, 0);
                default -> throw new IllegalStateException("unexpected type " + p);
            };
            row.put(field.getName(), v);
        }
        return row;
    }
}
