package io.datalake.dataset;

import io.datalake.InvalidArgumentException;
import java.util.regex.Pattern;

/**
 * A reference to a published version: {@code NAME} or {@code NAME@latest} (the latest), {@code NAME@7} (a number),
 * {@code NAME@prod} (a tag). Parsing checks the syntax only; {@link Datasets#resolve} finds the version.
 *
 * @param dataset the dataset name
 * @param selector {@code "latest"}, a positive version number in decimal, or a tag name
 */
public record VersionRef(String dataset, String selector) {
    /** The selector of the latest published version. */
    public static final String LATEST = "latest";
    /** Dataset and tag names: a lowercase letter or digit, then lowercase letters, digits, '.', '_', '-'. */
    public static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9._-]*");
    /** The longest dataset or tag name accepted. */
    public static final int MAX_NAME_LENGTH = 128;

    /**
     * Validates the reference.
     *
     * @throws InvalidDatasetNameException if the dataset name or the selector is not valid
     */
    public VersionRef {
        requireName(dataset);
        if (!selector.equals(LATEST) && !isNumber(selector)) {
            requireName(selector);
        }
    }

    /**
     * Parses {@code NAME}, {@code NAME@latest}, {@code NAME@N} or {@code NAME@TAG}.
     *
     * @param text the text
     * @return the reference
     * @throws InvalidDatasetNameException if the text is not of that form, naming it
     */
    public static VersionRef parse(String text) {
        int at = text.indexOf('@');
        if (at < 0) {
            return new VersionRef(text, LATEST);
        }
        if (at == text.length() - 1 || text.indexOf('@', at + 1) >= 0) {
            throw new InvalidDatasetNameException(text, "expected NAME, NAME@latest, NAME@NUMBER or NAME@TAG");
        }
        return new VersionRef(text.substring(0, at), text.substring(at + 1));
    }

    /**
     * A reference to a version by number.
     *
     * @param dataset the dataset name
     * @param number the version number, positive
     * @return the reference
     * @throws InvalidArgumentException if the number is not positive
     */
    public static VersionRef of(String dataset, int number) {
        if (number < 1) {
            throw new InvalidArgumentException("version numbers start at 1, was " + number + " for '" + dataset
                    + "'");
        }
        return new VersionRef(dataset, Integer.toString(number));
    }

    /**
     * A reference to the latest published version.
     *
     * @param dataset the dataset name
     * @return the reference
     */
    public static VersionRef latest(String dataset) {
        return new VersionRef(dataset, LATEST);
    }

    /**
     * Checks a dataset or tag name.
     *
     * @param name the name
     * @return the name
     * @throws InvalidDatasetNameException if it does not match {@link #NAME} or is longer than
     *     {@link #MAX_NAME_LENGTH}, or is {@code latest} or a number used as a tag
     */
    public static String requireName(String name) {
        if (name.length() > MAX_NAME_LENGTH || !NAME.matcher(name).matches()) {
            throw new InvalidDatasetNameException(name, "names match " + NAME.pattern() + " and have at most "
                    + MAX_NAME_LENGTH + " characters");
        }
        return name;
    }

    /**
     * Checks a tag name: a valid name that is neither {@code latest} nor a number.
     *
     * @param tag the tag
     * @return the tag
     * @throws InvalidDatasetNameException if it is not a valid tag name
     */
    public static String requireTag(String tag) {
        requireName(tag);
        if (tag.equals(LATEST) || isNumber(tag)) {
            throw new InvalidDatasetNameException(tag, "a tag cannot be 'latest' or a number");
        }
        return tag;
    }

    /**
     * Tells whether the selector is a version number.
     *
     * @return true for {@code NAME@N}
     */
    public boolean isNumber() {
        return isNumber(selector);
    }

    /**
     * Tells whether the selector is {@code latest}.
     *
     * @return true for {@code NAME} and {@code NAME@latest}
     */
    public boolean isLatest() {
        return selector.equals(LATEST);
    }

    private static boolean isNumber(String s) {
        if (s.isEmpty() || s.length() > 9 || s.charAt(0) == '0') {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) < '0' || s.charAt(i) > '9') {
                return false;
            }
        }
        return true;
    }

    /**
     * Returns {@code NAME@SELECTOR}, which {@link #parse} reads back.
     *
     * @return the text
     */
    @Override
    public String toString() {
        return dataset + "@" + selector;
    }
}
