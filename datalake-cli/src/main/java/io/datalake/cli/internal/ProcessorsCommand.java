package io.datalake.cli.internal;

import io.datalake.Datalake;
import io.datalake.processor.DeadLetter;
import io.datalake.processor.Processor;
import io.datalake.processor.ProcessorStatus;
import io.datalake.processor.Processors;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Collectors;
import org.bson.types.ObjectId;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code datalake processors}: the processors a lake knows, their progress across workers, their dead letters. */
@Command(
        name = "processors",
        description = {
            "List the processors of the lake (every NAME@VERSION any worker ever started) with their progress "
                    + "across all workers: inputs done, leased right now, waiting for a retry, dead letters, and "
                    + "when a worker last started or finished an input.",
            "--dead-letters lists one version's dead letters (inputs whose function failed for good: input id, "
                    + "attempts, failures, when, last error). --retry puts dead letters back (all of them, or the "
                    + "given input ids) so running or future workers try them again with a fresh attempt count.",
            "Processors themselves are Java code (io.datalake.processor); this command only reads their state and "
                    + "retries dead letters. Exit 0 on success, 1 when the processor version is unknown."
        },
        footerHeading = "%nExamples:%n",
        footer = {
            "  datalake processors",
            "  datalake processors --format json | jq '.[] | select(.dead_letters > 0) | .processor'",
            "  datalake processors --dead-letters classifier@v2",
            "  datalake processors --retry classifier@v2",
            "  datalake processors --retry classifier@v2 6650f1c2a7b3d94e1c0a1b2c 6650f1c2a7b3d94e1c0a1b2d"
        })
final class ProcessorsCommand extends LakeCommand {
    /** Longest error message shown in the table; JSON has the whole stored message. */
    static final int TABLE_MESSAGE_CHARS = 160;

    /** Output formats. */
    enum Format { TABLE, JSON }

    @Option(names = "--dead-letters", paramLabel = "NAME@VERSION",
            description = "List the dead letters of this processor version, oldest first.")
    @Nullable String deadLetters;

    @Option(names = "--retry", paramLabel = "NAME@VERSION",
            description = "Put dead letters of this processor version back: all of them, or only the input ids given"
                    + " after it.")
    @Nullable String retry;

    @Parameters(paramLabel = "IDS", arity = "0..*", description = "With --retry: the input ids to put back (default:"
            + " every dead letter of the version).")
    List<String> idTexts = new ArrayList<>();

    // Converted in validate(): picocli reports a failed conversion of a variadic positional as "Unmatched argument".
    private List<ObjectId> ids = new ArrayList<>();

    @Option(names = "--format", paramLabel = "FORMAT", description = "table or json (default: ${DEFAULT-VALUE}).")
    Format format = Format.TABLE;

    private @Nullable Key key;

    /** A processor version as the user names it. */
    record Key(String name, String version) {
        static Key parse(String text, String option) {
            int at = text.lastIndexOf('@');
            String name = at < 0 ? "" : text.substring(0, at);
            String version = at < 0 ? "" : text.substring(at + 1);
            if (!Processor.NAME.matcher(name).matches() || !Processor.NAME.matcher(version).matches()) {
                throw new UsageException(option + " '" + printable(text) + "' is not a processor version: expected"
                        + " NAME@VERSION, each matching " + Processor.NAME.pattern());
            }
            return new Key(name, version);
        }

        @Override
        public String toString() {
            return name + "@" + version;
        }
    }

    @Override
    void validate() {
        if (deadLetters != null && retry != null) {
            throw new UsageException("--dead-letters and --retry cannot be combined: list first, then retry");
        }
        if (!idTexts.isEmpty() && retry == null) {
            throw new UsageException("input ids are only taken with --retry NAME@VERSION, got "
                    + printable(idTexts.get(0)));
        }
        List<ObjectId> parsed = new ArrayList<>(idTexts.size());
        for (String text : idTexts) {
            if (!ObjectId.isValid(text)) {
                throw new UsageException("'" + printable(text) + "' is not a datum id (24 hex digits)");
            }
            parsed.add(new ObjectId(text));
        }
        ids = parsed;
        if (deadLetters != null) {
            key = Key.parse(deadLetters, "--dead-letters");
        } else if (retry != null) {
            key = Key.parse(retry, "--retry");
        }
    }

    @Override
    int run(Datalake lake) {
        Processors processors = lake.processors();
        Key k = key;
        if (k == null) {
            List<ProcessorStatus> all = Objects.requireNonNull(processors.list().collectList().block());
            out().print(format == Format.JSON ? Json.write(all.stream().map(ProcessorsCommand::toJson)
                    .collect(Collectors.toList()), true) + "\n" : renderList(all));
            return 0;
        }
        if (processors.status(k.name(), k.version()).block() == null) {
            List<String> known = Objects.requireNonNull(processors.list().map(ProcessorStatus::key).collectList()
                    .block());
            err().println("datalake processors: no processor " + k + " in this lake (known: "
                    + (known.isEmpty() ? "none" : String.join(", ", known)) + ")");
            return 1;
        }
        if (deadLetters != null) {
            List<DeadLetter> letters = Objects.requireNonNull(processors.deadLetters(k.name(), k.version())
                    .collectList().block());
            out().print(format == Format.JSON ? Json.write(letters.stream().map(ProcessorsCommand::toJson)
                    .collect(Collectors.toList()), true) + "\n" : renderDeadLetters(k, letters));
            return 0;
        }
        long putBack = await(processors.retryDeadLetters(k.name(), k.version(), ids.isEmpty() ? null : ids),
                "retry");
        if (format == Format.JSON) {
            Map<String, @Nullable Object> json = new LinkedHashMap<>();
            json.put("processor", k.toString());
            json.put("requested", ids.isEmpty() ? null : ids.size());
            json.put("put_back", putBack);
            out().println(Json.write(json, true));
        } else {
            out().printf(Locale.ROOT, "put back %,d dead %s of %s%s%n", putBack, putBack == 1 ? "letter" : "letters",
                    k, ids.isEmpty() ? "" : " (" + (ids.size() - putBack) + " of the " + ids.size()
                            + " ids given were not dead letters)");
        }
        return 0;
    }

    static Map<String, @Nullable Object> toJson(ProcessorStatus s) {
        Map<String, @Nullable Object> json = new LinkedHashMap<>();
        json.put("processor", s.key());
        json.put("name", s.name());
        json.put("version", s.version());
        json.put("done", s.done());
        json.put("leased", s.leased());
        json.put("waiting", s.waiting());
        json.put("dead_letters", s.deadLetters());
        json.put("last_active_at", s.lastActiveAt() == null ? null : s.lastActiveAt().toString());
        json.put("input", s.input());
        return json;
    }

    static Map<String, @Nullable Object> toJson(DeadLetter d) {
        Map<String, @Nullable Object> json = new LinkedHashMap<>();
        json.put("input", d.input().toHexString());
        json.put("attempts", d.attempts());
        json.put("failures", d.failures());
        json.put("error_type", d.errorType());
        json.put("error_message", d.errorMessage());
        json.put("at", d.at().toString());
        return json;
    }

    static String renderList(List<ProcessorStatus> all) {
        if (all.isEmpty()) {
            return "(no processors: none was ever started on this lake)\n";
        }
        List<List<String>> rows = new ArrayList<>();
        rows.add(List.of("processor", "done", "leased", "waiting", "dead", "last active", "input"));
        for (ProcessorStatus s : all) {
            rows.add(List.of(printable(s.key()), count(s.done()), count(s.leased()), count(s.waiting()),
                    count(s.deadLetters()), time(s.lastActiveAt()), printable(s.input())));
        }
        return table(rows, 1, 4) + String.format(Locale.ROOT, "(%d %s)%n", all.size(),
                all.size() == 1 ? "processor" : "processors");
    }

    static String renderDeadLetters(Key key, List<DeadLetter> letters) {
        if (letters.isEmpty()) {
            return "(no dead letters for " + key + ")\n";
        }
        List<List<String>> rows = new ArrayList<>();
        rows.add(List.of("input", "attempts", "failures", "at", "error"));
        for (DeadLetter d : letters) {
            String error = printable(simpleName(d.errorType()) + ": " + d.errorMessage());
            if (error.length() > TABLE_MESSAGE_CHARS) {
                error = error.substring(0, TABLE_MESSAGE_CHARS - 3) + "...";
            }
            rows.add(List.of(d.input().toHexString(), count(d.attempts()), count(d.failures()), time(d.at()),
                    error));
        }
        return table(rows, 1, 2) + String.format(Locale.ROOT, "(%,d dead %s; retry with: datalake processors "
                + "--retry %s [IDS...])%n", letters.size(), letters.size() == 1 ? "letter" : "letters", key);
    }

    /** Columns padded to their widest cell; columns {@code firstNumber..lastNumber} right-aligned, the last free. */
    private static String table(List<List<String>> rows, int firstNumber, int lastNumber) {
        int columns = rows.get(0).size();
        int[] widths = new int[columns];
        for (List<String> row : rows) {
            for (int c = 0; c < columns; c++) {
                widths[c] = Math.max(widths[c], row.get(c).length());
            }
        }
        StringBuilder out = new StringBuilder();
        for (List<String> row : rows) {
            StringBuilder line = new StringBuilder();
            for (int c = 0; c < columns; c++) {
                String cell = row.get(c);
                boolean right = c >= firstNumber && c <= lastNumber;
                String pad = " ".repeat(widths[c] - cell.length());
                line.append(c == 0 ? "" : "  ").append(right ? pad + cell : c == columns - 1 ? cell : cell + pad);
            }
            out.append(line.toString().stripTrailing()).append('\n');
        }
        return out.toString();
    }

    private static String count(long n) {
        return String.format(Locale.ROOT, "%,d", n);
    }

    private static String time(@Nullable Instant at) {
        return at == null ? "-" : at.truncatedTo(ChronoUnit.SECONDS).toString();
    }

    private static String simpleName(String className) {
        return className.substring(className.lastIndexOf('.') + 1);
    }

    /**
     * Stored documents are written by other clients: a control character in an error message or input must not
     * move the terminal's cursor or split a row.
     */
    static String printable(String text) {
        StringBuilder out = new StringBuilder(text.length());
        text.codePoints().forEach(c -> {
            if (Character.isISOControl(c) || c == 0x2028 || c == 0x2029) {
                out.append(c == '\n' || c == '\r' || c == '\t' ? " " : String.format(Locale.ROOT, "\\u%04x", c));
            } else {
                out.appendCodePoint(c);
            }
        });
        return out.toString();
    }
}
