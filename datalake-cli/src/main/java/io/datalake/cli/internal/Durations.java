package io.datalake.cli.internal;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Durations as people type them on a command line: {@code 30m}, {@code 24h}, {@code 7d}, {@code 1h30m}, {@code PT1H}. */
final class Durations {
    private static final Pattern WHOLE = Pattern.compile("(?:\\d+[dhms])+");
    private static final Pattern PART = Pattern.compile("(\\d+)([dhms])");

    private Durations() {
    }

    /**
     * Parses a duration: whole numbers of days, hours, minutes and seconds ({@code 7d}, {@code 1h30m}), {@code 0},
     * or ISO-8601 ({@code PT1H}, {@code P2D}).
     *
     * @param text what the user typed
     * @param option the option, for the message
     * @return the duration, zero or positive
     * @throws UsageException naming the text and the accepted forms if it is not a duration or is negative
     */
    static Duration parse(String text, String option) {
        String t = text.strip().toLowerCase(Locale.ROOT);
        try {
            if (t.equals("0")) {
                return Duration.ZERO;
            }
            if (t.startsWith("p")) {
                Duration d = Duration.parse(t.toUpperCase(Locale.ROOT));
                if (d.isNegative()) {
                    throw new UsageException(option + " '" + text + "' is negative; give an age such as 24h");
                }
                return d;
            }
            if (WHOLE.matcher(t).matches()) {
                Duration d = Duration.ZERO;
                Matcher m = PART.matcher(t);
                while (m.find()) {
                    long n = Long.parseLong(m.group(1));
                    d = d.plus(switch (m.group(2)) {
                        case "d" -> Duration.ofDays(n);
                        case "h" -> Duration.ofHours(n);
                        case "m" -> Duration.ofMinutes(n);
                        default -> Duration.ofSeconds(n);
                    });
                }
                return d;
            }
        } catch (DateTimeParseException | ArithmeticException | NumberFormatException e) {
            // Falls through to the usage error below, which says what is accepted.
        }
        throw new UsageException(option + " '" + text + "' is not a duration: use e.g. 30m, 24h, 7d, 1h30m or PT1H");
    }
}
