package io.datalake.io.internal;

import java.util.Map;
import org.bson.Document;

/**
 * The {@code README.md} of a Hugging Face export: a YAML header that {@code datasets.load_dataset(folder)} reads
 * ({@code configs} with each split's files, {@code dataset_info} with the features and split sizes) and a text
 * saying what was exported (version, content hash or query) and what the columns hold.
 *
 * <p>Every name in the YAML comes from the data (column and field names): each is written as a double-quoted
 * scalar with JSON escapes, which YAML reads back exactly.
 */
final class DatasetCard {
    private DatasetCard() {
    }

    static String text(Document source, ParquetTable table, Map<String, Long> splits) {
        StringBuilder b = new StringBuilder(4096);
        b.append("---\n");
        b.append("configs:\n");
        b.append("- config_name: default\n");
        b.append("  data_files:\n");
        for (String split : splits.keySet()) {
            b.append("  - split: ").append(quote(split)).append('\n');
            b.append("    path: ").append(quote("data/" + split + "-*")).append('\n');
        }
        b.append("dataset_info:\n");
        b.append("  features:\n");
        for (ParquetTable.OutColumn c : table.columns()) {
            b.append("  - name: ").append(quote(c.name())).append('\n');
            b.append("    dtype: ").append(quote(c.kind().hfType)).append('\n');
        }
        b.append("  splits:\n");
        for (Map.Entry<String, Long> s : splits.entrySet()) {
            b.append("  - name: ").append(quote(s.getKey())).append('\n');
            b.append("    num_examples: ").append(s.getValue()).append('\n');
        }
        b.append("---\n\n");

        boolean version = "version".equals(source.getString("type"));
        String title = version ? String.valueOf(source.get("ref")) : "Query export";
        b.append("# ").append(title).append("\n\n");
        if (version) {
            b.append("Exported from the datalake dataset version `").append(source.get("ref")).append("`")
                    .append(" (dataset `").append(source.get("dataset")).append("`, version ")
                    .append(source.get("number")).append(", id `").append(source.get("version_id"))
                    .append("`), content hash `").append(source.get("content_hash")).append("`.\n\n");
        } else {
            b.append("Exported from the rows of a datalake query (below).\n\n");
        }
        b.append("Splits: ");
        boolean first = true;
        for (Map.Entry<String, Long> s : splits.entrySet()) {
            b.append(first ? "" : ", ").append('`').append(s.getKey()).append("` ").append(s.getValue())
                    .append(s.getValue() == 1 ? " row" : " rows");
            first = false;
        }
        b.append(".\n\n");
        b.append("## Loading\n\n");
        b.append("```python\nfrom datasets import load_dataset\n\nds = load_dataset(\"path/to/this/folder\")\n```\n\n");
        b.append("## Columns\n\n");
        b.append("Per export column `C`: `C__id` (datum id), `C__added_at`, `C__derived_from` (parent datum id),"
                + " `C__payload` (path of the payload file, or its bytes), `C__content_type`, `C__data__F` and"
                + " `C__metadata__F` (top-level fields of the datum's data and metadata; documents and arrays as JSON"
                + " text), and `C__other` (JSON of any value that had no column of its type).");
        b.append(" An image column is the `image` feature (bytes inside the Parquet files).\n\n");
        b.append("| column | export column | part | field | type |\n|---|---|---|---|---|\n");
        for (ParquetTable.OutColumn c : table.columns()) {
            b.append("| ").append(cell(c.name())).append(" | ").append(cell(c.column())).append(" | ")
                    .append(c.source().label()).append(" | ").append(c.field() == null ? "" : cell(c.field()))
                    .append(" | ").append(c.kind().hfType).append(" |\n");
        }
        b.append("\n## Source\n\nThe export's source, as in its `manifest.json`:\n\n```json\n")
                .append(ExportJob.json(source)).append("\n```\n");
        return b.toString();
    }

    /** A YAML double-quoted scalar: JSON string escapes, which YAML 1.1 and 1.2 read the same way. */
    static String quote(String s) {
        StringBuilder b = new StringBuilder(s.length() + 2).append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\t' -> b.append("\\t");
                case '\r' -> b.append("\\r");
                default -> {
                    if (Character.isHighSurrogate(c) && i + 1 < s.length()
                            && Character.isLowSurrogate(s.charAt(i + 1))) {
                        // One 8-digit escape per code point: PyYAML (what datasets reads the card with) reads an
                        // escaped surrogate pair as two lone surrogates, a name that matches no Parquet column.
                        b.append(String.format("\\U%08x", s.codePointAt(i)));
                        i++;
                    } else if (c < 0x20 || c == 0x7f || c == 0x85 || c == 0x2028 || c == 0x2029 || c == 0xfeff
                            || Character.isSurrogate(c)) {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        return b.append('"').toString();
    }

    /** A Markdown table cell: pipes and line breaks would end the cell or the row. */
    private static String cell(String s) {
        return "`" + s.replace("|", "\\|").replace("`", "'").replace('\n', ' ').replace('\r', ' ') + "`";
    }
}
