package io.datalake.registry;

import io.datalake.InvalidArgumentException;

/**
 * Validation of registry keys. A valid key is a relative, {@code /}-separated path that can never escape the
 * registry's root on any backend: not empty, at most {@value #MAX_LENGTH} characters, no leading or doubled
 * {@code /}, no {@code .} or {@code ..} segment, no backslash, no control character, and not ending with the
 * reserved suffix {@value #RESERVED_SUFFIX} (the file registry's in-progress writes).
 */
public final class RegistryKeys {
    /** Longest key accepted; S3 and GCS both allow 1024 bytes of UTF-8. */
    public static final int MAX_LENGTH = 1024;
    /** Suffix reserved for temporary files of in-progress writes. */
    public static final String RESERVED_SUFFIX = ".datalake-tmp";

    private RegistryKeys() {
    }

    /**
     * Checks a key.
     *
     * @param key the key
     * @return the key, unchanged
     * @throws InvalidArgumentException naming the key and what is wrong with it
     */
    public static String validate(String key) {
        if (key == null || key.isEmpty()) {
            throw new InvalidArgumentException("registry key must not be empty");
        }
        checkPath(key, "registry key");
        if (key.endsWith("/")) {
            throw new InvalidArgumentException("registry key '" + printable(key) + "' must not end with '/'");
        }
        return key;
    }

    /**
     * Checks a listing prefix: like a key, but it may be empty or end with {@code /}.
     *
     * @param prefix the prefix
     * @return the prefix, unchanged
     * @throws InvalidArgumentException naming the prefix and what is wrong with it
     */
    public static String validatePrefix(String prefix) {
        if (prefix == null) {
            throw new InvalidArgumentException("registry key prefix must not be null");
        }
        if (!prefix.isEmpty()) {
            checkPath(prefix.endsWith("/") ? prefix.substring(0, prefix.length() - 1) : prefix, "registry key prefix");
        }
        return prefix;
    }

    private static void checkPath(String key, String what) {
        if (key.length() > MAX_LENGTH) {
            throw new InvalidArgumentException(what + " is longer than " + MAX_LENGTH + " characters: '"
                    + printable(key.substring(0, 60)) + "...'");
        }
        for (int i = 0; i < key.length(); i++) {
            char c = key.charAt(i);
            if (c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0)) {
                throw new InvalidArgumentException(what + " '" + printable(key)
                        + "' contains a control character at index " + i);
            }
            if (c == '\\') {
                throw new InvalidArgumentException(what + " '" + printable(key) + "' contains a backslash");
            }
        }
        if (key.startsWith("/")) {
            throw new InvalidArgumentException(what + " '" + printable(key) + "' must be relative, not start with '/'");
        }
        if (key.length() >= 2 && key.charAt(1) == ':' && Character.isLetter(key.charAt(0))) {
            throw new InvalidArgumentException(what + " '" + printable(key) + "' looks like an absolute Windows path");
        }
        for (String segment : key.split("/", -1)) {
            if (segment.isEmpty() || segment.equals(".") || segment.equals("..")) {
                throw new InvalidArgumentException(what + " '" + printable(key)
                        + "' has an empty, '.' or '..' path segment");
            }
        }
        if (key.endsWith(RESERVED_SUFFIX)) {
            throw new InvalidArgumentException(what + " '" + printable(key) + "' ends with the reserved suffix "
                    + RESERVED_SUFFIX);
        }
    }

    /** Renders control characters visibly so a message never carries them into a log. */
    private static String printable(String key) {
        StringBuilder sb = new StringBuilder(key.length());
        for (int i = 0; i < key.length(); i++) {
            char c = key.charAt(i);
            if (c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0)) {
                sb.append(String.format("\\u%04x", (int) c));
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }
}
