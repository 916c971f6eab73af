package io.datalake.query.engine.internal.traversal;

import io.datalake.lineage.LineageNode;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;
import org.bson.types.Binary;
import org.bson.types.ObjectId;
import org.jspecify.annotations.Nullable;

/**
 * One-line descriptions of stored datums for lineage nodes: the type, then a few short scalar fields of the data
 * and the metadata, e.g. {@code classification label=cat score=0.97 model=resnet-v2}.
 */
final class DatumSummaries {
    private static final String TYPE_KEY = "type";
    private static final int MAX_VALUE_LENGTH = 24;
    private static final String ELLIPSIS = "...";

    private DatumSummaries() {
    }

    /** Returns {@code data.type}, else {@code metadata.type}, when it is a string. */
    static @Nullable String type(@Nullable Object data, @Nullable Object metadata) {
        for (Object source : new Object[] {data, metadata}) {
            if (source instanceof Map<?, ?> map && map.get(TYPE_KEY) instanceof String type) {
                return type;
            }
        }
        return null;
    }

    static String summarize(
            @Nullable String type, @Nullable Object data, @Nullable Object metadata, boolean inRegistry) {
        StringJoiner parts = new StringJoiner(" ");
        if (type != null) {
            parts.add(shorten(type));
        }
        if (inRegistry) {
            parts.add("[registry]");
        }
        if (data instanceof Map<?, ?> fields) {
            addFields(parts, fields);
        } else if (data != null) {
            String value = scalar(data);
            parts.add(value != null ? value : describe(data));
        }
        if (metadata instanceof Map<?, ?> fields) {
            addFields(parts, fields);
        }
        String summary = parts.length() == 0 ? "(empty)" : parts.toString();
        int max = LineageNode.MAX_SUMMARY_LENGTH;
        return summary.length() <= max ? summary : summary.substring(0, max - ELLIPSIS.length()) + ELLIPSIS;
    }

    private static void addFields(StringJoiner parts, Map<?, ?> fields) {
        for (Map.Entry<?, ?> field : fields.entrySet()) {
            if (parts.length() > LineageNode.MAX_SUMMARY_LENGTH) {
                return;
            }
            String key = String.valueOf(field.getKey());
            String value = scalar(field.getValue());
            // Nested values do not fit on one line; the type already names the datum.
            if (!TYPE_KEY.equals(key) && value != null) {
                parts.add(key + "=" + value);
            }
        }
    }

    private static @Nullable String scalar(@Nullable Object value) {
        if (value instanceof String s) {
            return s.isEmpty() || s.chars().anyMatch(Character::isWhitespace) ? '"' + shorten(s) + '"' : shorten(s);
        }
        if (value instanceof Number || value instanceof Boolean || value instanceof ObjectId) {
            return String.valueOf(value);
        }
        if (value instanceof Date date) {
            return date.toInstant().toString();
        }
        return null;
    }

    private static String describe(Object value) {
        if (value instanceof List<?> list) {
            return "[" + list.size() + " items]";
        }
        if (value instanceof Binary binary) {
            return "<" + binary.length() + " bytes>";
        }
        return "<" + value.getClass().getSimpleName() + ">";
    }

    private static String shorten(String s) {
        String oneLine = s.replaceAll("\\s+", " ");
        return oneLine.length() <= MAX_VALUE_LENGTH
                ? oneLine
                : oneLine.substring(0, MAX_VALUE_LENGTH - ELLIPSIS.length()) + ELLIPSIS;
    }
}
