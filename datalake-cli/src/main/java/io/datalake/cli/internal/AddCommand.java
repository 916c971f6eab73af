package io.datalake.cli.internal;

import io.datalake.Datalake;
import io.datalake.Datum;
import io.datalake.DatumValidationException;
import io.datalake.InvalidArgumentException;
import io.datalake.NewDatum;
import io.datalake.json.JsonValues;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.bson.types.ObjectId;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import reactor.core.publisher.Flux;

/** {@code datalake add}: adds one datum, or many from JSON lines, and prints their ids. */
@Command(
        name = "add",
        description = {
            "Add one datum and print its id, or many from JSON lines (--jsonl) and print their ids in order.",
            "DATA and --metadata are MongoDB Extended JSON: {\"$oid\": ...}, {\"$date\": ...}, {\"$numberLong\": ...},"
                    + " {\"$numberDecimal\": ...}, {\"$binary\": ...} and {\"$uuid\": ...} give typed values.",
            "Values too large to keep inline (over 4 MiB encoded) go to --registry when one is set."
        },
        footerHeading = "%nExamples:%n",
        footer = {
            "  datalake add '{\"type\": \"image\", \"path\": \"cats/1.jpg\"}' --metadata '{\"project\": \"cv\"}'",
            "  datalake add --payload cat.jpg --metadata '{\"type\": \"image\"}' --registry /data/payloads",
            "  datalake add '{\"label\": \"cat\"}' --derived-from 665f1c2e8a9b4c3d2e1f0a9b",
            "  echo '{\"type\": \"note\"}' | datalake add -",
            "  datalake add --jsonl labels.jsonl --derived-from 665f1c2e8a9b4c3d2e1f0a9b",
            "",
            "A --jsonl line is an object with 'data' and optionally 'metadata',",
            "'derived_from' and 'id' (an id lets later lines derive from it); --metadata and",
            "--derived-from apply to lines without their own."
        })
final class AddCommand extends LakeCommand {
    /** Keys a {@code --jsonl} line may have. */
    static final Set<String> LINE_KEYS = Set.of("data", "metadata", "derived_from", "id");
    /** How the library says to configure a registry for oversized inline values. */
    private static final String LIBRARY_ADVICE = "store it in a registry (registryUri) or configure"
            + " RegistrySettings.defaultRegistry";

    @Parameters(index = "0", arity = "0..1", paramLabel = "DATA",
            description = "The datum's data as JSON ('null' for none), or '-' to read it from standard input. "
                    + "Not with --payload or --jsonl.")
    @Nullable String data;

    @Option(names = "--metadata", paramLabel = "JSON", description = "Metadata as a JSON object.")
    @Nullable String metadata;

    @Option(names = "--payload", paramLabel = "FILE",
            description = "Store this file's bytes in the registry (--registry) as the datum's data.")
    @Nullable Path payload;

    @Option(names = "--content-type", paramLabel = "TYPE",
            description = "The payload's media type (e.g. image/png), instead of the one detected from its bytes."
                    + " Only with --payload.")
    @Nullable String contentType;

    @Option(names = "--jsonl", paramLabel = "FILE",
            description = "Add one datum per line of FILE ('-' for standard input), in one batched call.")
    @Nullable String jsonl;

    @Option(names = "--derived-from", paramLabel = "ID", description = "The id of the parent datum.")
    @Nullable ObjectId derivedFrom;

    @Option(names = "--json", description = "Print the stored datum as JSON instead of its id (with --jsonl: one"
            + " JSON line per datum).")
    boolean json;

    private @Nullable Object parsedData;
    private @Nullable Map<String, @Nullable Object> parsedMetadata;
    private @Nullable String registryUri;
    private List<NewDatum> lines = List.of();

    @Override
    void validate() {
        int sources = (data != null ? 1 : 0) + (payload != null ? 1 : 0) + (jsonl != null ? 1 : 0);
        if (sources > 1) {
            throw new UsageException("give one of DATA, --payload FILE or --jsonl FILE, not several");
        }
        if (sources == 0) {
            throw new UsageException("nothing to add: give DATA as JSON ('null' for a datum with metadata only),"
                    + " '-' to read it from standard input, --payload FILE or --jsonl FILE");
        }
        if (contentType != null && payload == null) {
            throw new UsageException("--content-type applies to --payload FILE only");
        }
        parsedMetadata = metadata == null ? null : Json.parseObject(metadata, "--metadata");
        if (data != null) {
            String text = "-".equals(data) ? readStdin(root().context().in()) : data;
            parsedData = Json.parse(text, "-".equals(data) ? "DATA (standard input)" : "DATA");
        }
        if (jsonl != null) {
            lines = parseLines(jsonl);
        }
        if (payload != null) {
            checkReadableFile(payload, "--payload");
            registryUri = root().requireRegistry("--payload");
        }
    }

    /** Fails with a message that says what the path is when it is not a file the command can read. */
    static void checkReadableFile(Path file, String option) {
        if (Files.isDirectory(file)) {
            throw new UsageException(option + " " + file + " is a directory; give a file (to add every file under"
                    + " a directory, use 'datalake import DIR')");
        }
        if (!Files.exists(file)) {
            throw new UsageException(option + " " + file + ": no such file");
        }
        if (!Files.isRegularFile(file)) {
            throw new UsageException(option + " " + file + " is not a regular file (a device, pipe or socket),"
                    + " which has no fixed content to store; copy its bytes into a file and give that file");
        }
        if (!Files.isReadable(file)) {
            throw new UsageException(option + " " + file + ": permission denied; make it readable (chmod +r)");
        }
    }

    private List<NewDatum> parseLines(String source) {
        String text;
        if ("-".equals(source)) {
            text = readStdin(root().context().in());
        } else {
            Path file = Path.of(source);
            checkReadableFile(file, "--jsonl");
            try {
                text = decodeUtf8(Files.readAllBytes(file), "--jsonl " + source);
            } catch (IOException e) {
                throw new UsageException("cannot read --jsonl " + source + ": " + e.getMessage());
            }
        }
        List<NewDatum> datums = new ArrayList<>();
        String[] rows = text.split("\\R", -1);
        for (int i = 0; i < rows.length; i++) {
            if (rows[i].isBlank()) {
                continue;
            }
            String what = "--jsonl line " + (i + 1);
            Map<String, @Nullable Object> line = Json.parseObject(rows[i], what);
            for (String key : line.keySet()) {
                if (!LINE_KEYS.contains(key)) {
                    throw new UsageException(what + ": unknown key '" + key + "'; a line has 'data' and optionally"
                            + " 'metadata', 'derived_from' and 'id'");
                }
            }
            if (!line.containsKey("data")) {
                throw new UsageException(what + ": missing key 'data' (use \"data\": null for a datum with"
                        + " metadata only)");
            }
            Object meta = line.containsKey("metadata") ? line.get("metadata") : parsedMetadata;
            if (meta != null && !(meta instanceof Map)) {
                throw new UsageException(what + ": 'metadata' must be a JSON object");
            }
            @SuppressWarnings("unchecked")
            Map<String, @Nullable Object> metaMap = (Map<String, @Nullable Object>) meta;
            // The lake checks the same when the line's batch is written; checking every line first names the line
            // and writes nothing, instead of failing a later batch after earlier ones were written.
            String problem = JsonValues.storableProblem(line.get("data"), "data", JsonValues.FIELD_DEPTH);
            if (problem == null) {
                problem = JsonValues.storableProblem(metaMap, "metadata", JsonValues.FIELD_DEPTH);
            }
            if (problem != null) {
                throw new UsageException(what + ": " + problem);
            }
            try {
                datums.add(NewDatum.builder()
                        .id(line.containsKey("id") ? id(line.get("id"), what + ": 'id'") : null)
                        .data(line.get("data"))
                        .metadata(metaMap)
                        .derivedFrom(line.containsKey("derived_from")
                                ? id(line.get("derived_from"), what + ": 'derived_from'") : derivedFrom)
                        .build());
            } catch (InvalidArgumentException e) {
                throw new UsageException(what + ": " + e.getMessage());
            }
        }
        if (datums.isEmpty()) {
            throw new UsageException("nothing to add: --jsonl " + source + " has no lines");
        }
        return datums;
    }

    private static @Nullable ObjectId id(@Nullable Object value, String what) {
        if (value == null || value instanceof ObjectId) {
            return (ObjectId) value;
        }
        if (value instanceof String && ObjectId.isValid((String) value)) {
            return new ObjectId((String) value);
        }
        throw new UsageException(what + " must be a datum id (24 hex digits or {\"$oid\": ...}), got "
                + Json.abbreviate(String.valueOf(value instanceof Instant ? "a date" : value)));
    }

    @Override
    int run(Datalake lake) {
        try {
            return add(lake);
        } catch (DatumValidationException e) {
            String message = e.getMessage();
            if (root().registry() == null && message != null && message.contains(LIBRARY_ADVICE)) {
                // The library's advice names a Java setting; on the command line the setting is an option.
                // Not wrapped: the error line would append the cause's message, the library's advice again.
                DatumValidationException reworded = new DatumValidationException(message.replace(LIBRARY_ADVICE,
                        "pass --registry URI (or set " + RootCommand.ENV_REGISTRY + ") to store it in a registry"));
                reworded.setStackTrace(e.getStackTrace());
                throw reworded;
            }
            throw e;
        }
    }

    private int add(Datalake lake) {
        if (jsonl != null) {
            return runLines(lake);
        }
        // A file is handed over as a Path: the registry streams it instead of holding it in memory.
        Object value = payload != null ? payload : parsedData;
        Datum datum = lake.addDatum(NewDatum.builder()
                        .data(value)
                        .metadata(parsedMetadata)
                        .registryUri(registryUri)
                        .contentType(contentType)
                        .derivedFrom(derivedFrom)
                        .build())
                .block();
        if (datum == null) {
            throw new IllegalStateException("addDatum completed without a datum");
        }
        out().println(json ? Json.write(GetCommand.describe(datum), true) : datum.id().toHexString());
        return 0;
    }

    /** One {@code addData} call for every line: batched inserts, ids printed in input order as batches land. */
    private int runLines(Datalake lake) {
        lake.addData(Flux.fromIterable(lines))
                .doOnNext(datum -> out().println(json ? Json.write(GetCommand.describe(datum), false)
                        : datum.id().toHexString()))
                .then().block();
        return 0;
    }

    static String readStdin(InputStream in) {
        byte[] bytes;
        try {
            bytes = in.readAllBytes();
        } catch (IOException e) {
            throw new UsageException("cannot read standard input: " + e.getMessage());
        }
        return decodeUtf8(bytes, "standard input");
    }

    /**
     * Decodes UTF-8 strictly: a malformed byte would otherwise become U+FFFD and be stored changed, without a word.
     */
    static String decodeUtf8(byte[] bytes, String what) {
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes))
                    .toString();
        } catch (CharacterCodingException e) {
            int at = 0;
            CharsetDecoder probe = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
            ByteBuffer in = ByteBuffer.wrap(bytes);
            CoderResult result = probe.decode(in, CharBuffer.allocate(bytes.length + 1), true);
            if (result.isError()) {
                at = in.position();
            }
            throw new UsageException(what + " is not valid UTF-8 text (a malformed byte sequence at byte offset "
                    + at + "); give JSON as UTF-8, and binary data as a payload file (--payload FILE)");
        }
    }
}
