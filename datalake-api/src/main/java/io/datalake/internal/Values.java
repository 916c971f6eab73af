package io.datalake.internal;

import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/** Helpers over JSON-like values. Internal. */
public final class Values {
    private static final int ABBREVIATE_AT = 120;

    private Values() {
    }

    /**
     * Deep equality over JSON-like values where byte arrays compare by content and maps and lists element-wise.
     *
     * @param a one value
     * @param b the other value
     * @return true when both are deeply equal
     */
    public static boolean deepEquals(@Nullable Object a, @Nullable Object b) {
        if (a == b) {
            return true;
        }
        if (a == null || b == null) {
            return false;
        }
        if (a instanceof byte[] && b instanceof byte[]) {
            return Arrays.equals((byte[]) a, (byte[]) b);
        }
        if (a instanceof Map && b instanceof Map) {
            Map<?, ?> ma = (Map<?, ?>) a;
            Map<?, ?> mb = (Map<?, ?>) b;
            if (ma.size() != mb.size()) {
                return false;
            }
            for (Map.Entry<?, ?> e : ma.entrySet()) {
                if (!mb.containsKey(e.getKey()) || !deepEquals(e.getValue(), mb.get(e.getKey()))) {
                    return false;
                }
            }
            return true;
        }
        if (a instanceof List && b instanceof List) {
            List<?> la = (List<?>) a;
            List<?> lb = (List<?>) b;
            if (la.size() != lb.size()) {
                return false;
            }
            Iterator<?> ia = la.iterator();
            Iterator<?> ib = lb.iterator();
            while (ia.hasNext()) {
                if (!deepEquals(ia.next(), ib.next())) {
                    return false;
                }
            }
            return true;
        }
        return Objects.equals(a, b);
    }

    /**
     * Returns a short printable form of a value for {@code toString} and error messages.
     *
     * @param value any value
     * @return at most about 120 characters
     */
    public static String abbreviate(@Nullable Object value) {
        String s = value instanceof byte[] ? "byte[" + ((byte[]) value).length + "]" : String.valueOf(value);
        return s.length() <= ABBREVIATE_AT ? s : s.substring(0, ABBREVIATE_AT) + "...";
    }
}
