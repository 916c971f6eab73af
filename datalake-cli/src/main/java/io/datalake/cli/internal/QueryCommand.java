package io.datalake.cli.internal;

import io.datalake.Datalake;
import io.datalake.Datum;
import io.datalake.query.Query;
import io.datalake.query.QueryOptions;
import io.datalake.query.QueryPlan;
import io.datalake.query.QueryResult;
import io.datalake.query.engine.QueryEngine;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import org.bson.types.ObjectId;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import reactor.core.publisher.Flux;

/** {@code datalake query}: runs a multi-level query and prints its rows as they are resolved. */
@Command(
        name = "query",
        description = {
            "Run a multi-level query and print its rows as they are found.",
            "A query is a JSON list of levels, each a MongoDB filter plus 'column', 'strategy' (latest, earliest, "
                    + "random, quickest, missing) and, after the first, 'derived_from' (an earlier column). It "
                    + "comes from QUERY, --file or standard input."
        },
        footerHeading = "%nExamples:%n",
        footer = {
            "  datalake query '[{\"metadata.type\": \"image\", \"column\": \"image\"},",
            "    {\"data.type\": \"label\", \"derived_from\": \"image\", \"column\": \"label\"}]'",
            "  datalake query --file unlabelled.json --limit 100 --format csv > todo.csv",
            "  datalake query --file q.json --explain",
            "  cat q.json | datalake query --transpose --format json",
            "  datalake query --file q.json --show image=metadata.filename,label=data.label"
        })
final class QueryCommand extends LakeCommand {
    /** Output formats of query rows. */
    enum Format { TABLE, JSON, JSONL, CSV }

    @Parameters(index = "0", arity = "0..1", paramLabel = "QUERY",
            description = "The query as JSON, or '-' for standard input (the default without --file).")
    @Nullable String queryText;

    @Option(names = {"-f", "--file"}, paramLabel = "FILE", description = "Read the query from FILE.")
    @Nullable Path file;

    @Option(names = "--limit", paramLabel = "N", description = "Stop after N complete rows (datumsWanted).")
    @Nullable Integer limit;

    @Option(names = "--transpose", description = "Print one list of ids per column instead of rows.")
    boolean transpose;

    @Option(names = "--explain", description = "Print the plan (filters, strategies, joins) instead of running.")
    boolean explain;

    @Option(names = "--seed", paramLabel = "N", description = "Seed for the 'random' strategy, for repeatable picks.")
    @Nullable Long seed;

    @Option(names = "--show", paramLabel = "COLUMN=PATH", split = ",",
            description = "Also print a field of a column's datum, e.g. image=metadata.filename or label=data.label"
                    + " (paths: id, added_at, derived_from, registry_uri, registry_key, payload.*, metadata.*,"
                    + " data.*). Datums are read in batches of " + SHOW_BATCH + " rows.")
    List<String> show = new ArrayList<>();

    @Option(names = "--format", paramLabel = "FORMAT", defaultValue = "table",
            description = "table, json, jsonl or csv (default: ${DEFAULT-VALUE}).")
    Format format = Format.TABLE;

    /** Rows whose datums are read with one {@code getData} call when fields are shown. */
    static final int SHOW_BATCH = 200;
    /** Top-level fields a {@code --show} path may start with. */
    private static final List<String> DATUM_FIELDS = List.of("id", "added_at", "derived_from", "registry_uri",
            "registry_key", "payload", "metadata", "data");

    private @Nullable Query query;
    private @Nullable QueryOptions options;
    /** The fields to show: output name, column, path. */
    private final List<Shown> shown = new ArrayList<>();

    private record Shown(String name, String column, String[] path) {
    }

    @Override
    void validate() {
        if (limit != null && limit < 1) {
            throw new UsageException("--limit must be 1 or more, got " + limit);
        }
        if (queryText != null && file != null) {
            throw new UsageException("give the query either as QUERY or with --file, not both");
        }
        String text;
        if (file != null) {
            try {
                text = AddCommand.decodeUtf8(Files.readAllBytes(file), "--file " + file);
            } catch (IOException e) {
                throw new UsageException("cannot read --file " + file + ": " + e.getMessage());
            }
        } else if (queryText == null || "-".equals(queryText)) {
            text = AddCommand.readStdin(root().context().in());
        } else {
            text = queryText;
        }
        if (text.isBlank()) {
            throw new UsageException("no query: give it as QUERY, with --file or on standard input");
        }
        // The same checks as add's JSON (numbers that do not fit, lone surrogates, depth) before the driver's
        // Extended JSON parser, which the query and add share.
        Json.check(text, "the query");
        // Validation happens here, before any connection: InvalidQueryException exits with 2. The query's structure
        // is checked when it is parsed, its filters by the engine's check (the same one every run does).
        Query q = Query.fromJson(text);
        QueryEngine.validate(q);
        query = q;
        options = QueryOptions.builder().datumsWanted(limit).seed(seed).build();
        parseShow(q.outputColumns());
    }

    private void parseShow(List<String> columns) {
        if (show.isEmpty()) {
            return;
        }
        if (transpose || explain) {
            throw new UsageException("--show prints fields of rows; it does not go with " + (transpose
                    ? "--transpose" : "--explain"));
        }
        for (String spec : show) {
            int eq = spec.indexOf('=');
            String column = eq < 0 ? "" : spec.substring(0, eq).strip();
            String path = eq < 0 ? "" : spec.substring(eq + 1).strip();
            if (column.isEmpty() || path.isEmpty()) {
                throw new UsageException("--show " + spec + ": expected COLUMN=PATH, e.g. image=metadata.filename");
            }
            if (!columns.contains(column)) {
                throw new UsageException("--show " + spec + ": '" + column + "' is not an output column of the"
                        + " query (columns: " + String.join(", ", columns) + ")");
            }
            String[] parts = path.split("\\.", -1);
            if (!DATUM_FIELDS.contains(parts[0]) || java.util.Arrays.asList(parts).contains("")) {
                throw new UsageException("--show " + spec + ": the path must start with one of "
                        + String.join(", ", DATUM_FIELDS) + " (e.g. metadata.filename)");
            }
            shown.add(new Shown(column + "." + path, column, parts));
        }
    }

    @Override
    int run(Datalake lake) {
        Query q = query;
        QueryOptions o = options;
        if (q == null || o == null) {
            throw new IllegalStateException("query was not validated");
        }
        if (explain) {
            QueryPlan plan = lake.explain(q, o);
            out().print(format == Format.TABLE ? describe(plan) : plan.toJson() + "\n");
            return 0;
        }
        List<String> columns = q.outputColumns();
        if (transpose) {
            QueryResult result = lake.queryData(q, o).block();
            if (result == null) {
                throw new IllegalStateException("queryData completed without a result");
            }
            printTransposed(columns, result.transposed());
            return 0;
        }
        printRows(lake, q, o, columns);
        return 0;
    }

    private void printRows(Datalake lake, Query q, QueryOptions o, List<String> columns) {
        PrintStream out = out();
        AtomicLong rows = new AtomicLong();
        List<String> header = new ArrayList<>(columns);
        shown.forEach(f -> header.add(f.name()));
        switch (format) {
            case TABLE:
                out.println(header.stream().map(QueryCommand::pad).collect(Collectors.joining("  ")).stripTrailing());
                break;
            case CSV:
                out.println(header.stream().map(QueryCommand::csv).collect(Collectors.joining(",")));
                break;
            case JSON:
                out.print("[");
                break;
            default:
                break;
        }
        Flux<Map<String, @Nullable Object>> printable = shown.isEmpty()
                ? lake.queryRows(q, o).map(row -> rowMap(columns, row))
                // One getData per batch of rows, not one read per datum.
                : lake.queryRows(q, o).buffer(SHOW_BATCH).concatMap(batch -> withFields(lake, columns, batch));
        printable.doOnNext(row -> {
            long n = rows.incrementAndGet();
            switch (format) {
                case TABLE:
                    out.println(row.values().stream().map(v -> pad(cell(v)))
                            .collect(Collectors.joining("  ")).stripTrailing());
                    break;
                case CSV:
                    out.println(row.values().stream().map(v -> csv(cell(v))).collect(Collectors.joining(",")));
                    break;
                case JSON:
                    out.print((n == 1 ? "\n  " : ",\n  ") + Json.write(row, false));
                    break;
                default:
                    out.println(Json.write(row, false));
                    break;
            }
        }).blockLast();
        if (format == Format.JSON) {
            out.println(rows.get() == 0 ? "]" : "\n]");
        } else if (format == Format.TABLE) {
            out.println("(" + rows.get() + (rows.get() == 1 ? " row)" : " rows)"));
        }
    }

    private void printTransposed(List<String> columns, Map<String, List<ObjectId>> transposed) {
        PrintStream out = out();
        Map<String, List<String>> hex = new LinkedHashMap<>();
        for (String column : columns) {
            hex.put(column, transposed.getOrDefault(column, List.of()).stream()
                    .map(ObjectId::toHexString).collect(Collectors.toList()));
        }
        switch (format) {
            case JSON:
                out.println(Json.write(hex, true));
                break;
            case JSONL:
                hex.forEach((column, ids) -> out.println(Json.write(Map.of(column, ids), false)));
                break;
            case CSV:
                hex.forEach((column, ids) -> {
                    List<String> cells = new ArrayList<>();
                    cells.add(csv(column));
                    cells.addAll(ids);
                    out.println(String.join(",", cells));
                });
                break;
            default:
                int width = columns.stream().mapToInt(String::length).max().orElse(0);
                hex.forEach((column, ids) -> out.println(
                        (String.format("%-" + width + "s  ", column) + String.join(" ", ids)).stripTrailing()));
                break;
        }
    }

    static String describe(QueryPlan plan) {
        StringBuilder out = new StringBuilder();
        out.append("plan: ").append(plan.datumsWanted() == null ? "all rows" : plan.datumsWanted() + " rows")
                .append(", ").append(plan.batchSize()).append(" rows per batch\n");
        for (QueryPlan.Level level : plan.levels()) {
            out.append("  level ").append(level.level().index()).append("  column=").append(level.level().column())
                    .append("  strategy=").append(level.level().strategy().name().toLowerCase(java.util.Locale.ROOT));
            if (level.level().derivedFrom() != null) {
                out.append("  derived_from=").append(level.level().derivedFrom());
            }
            if (level.join() != null) {
                out.append("  join=").append(level.join().name().toLowerCase(java.util.Locale.ROOT));
            }
            out.append("\n    filter ").append(level.level().filterJson())
                    .append("\n    ").append(level.description()).append('\n');
        }
        return out.toString();
    }

    private static Map<String, @Nullable Object> rowMap(List<String> columns, Map<String, ObjectId> row) {
        Map<String, @Nullable Object> map = new LinkedHashMap<>();
        for (String column : columns) {
            // Each row holds every output column.
            map.put(column, Objects.requireNonNull(row.get(column), column).toHexString());
        }
        return map;
    }

    private Flux<Map<String, @Nullable Object>> withFields(Datalake lake, List<String> columns,
            List<Map<String, ObjectId>> batch) {
        Set<ObjectId> wanted = new LinkedHashSet<>();
        for (Map<String, ObjectId> row : batch) {
            shown.forEach(f -> wanted.add(row.get(f.column())));
        }
        return lake.getData(new ArrayList<>(wanted), false).collectMap(Datum::id, GetCommand::describe)
                .flatMapIterable(datums -> {
                    List<Map<String, @Nullable Object>> printable = new ArrayList<>(batch.size());
                    for (Map<String, ObjectId> row : batch) {
                        Map<String, @Nullable Object> map = rowMap(columns, row);
                        for (Shown field : shown) {
                            map.put(field.name(), Json.toJsonable(
                                    lookup(datums.get(row.get(field.column())), field.path())));
                        }
                        printable.add(map);
                    }
                    return printable;
                });
    }

    /** The value at a dotted path of a datum's JSON form, or null where the path leads nowhere. */
    static @Nullable Object lookup(@Nullable Object value, String[] path) {
        Object current = value;
        for (String part : path) {
            if (current instanceof Map) {
                current = ((Map<?, ?>) current).get(part);
            } else if (current instanceof List && part.chars().allMatch(Character::isDigit) && part.length() < 10) {
                List<?> list = (List<?>) current;
                int index = Integer.parseInt(part);
                current = index < list.size() ? list.get(index) : null;
            } else {
                return null;
            }
        }
        return current;
    }

    /** A value as one table or CSV cell: strings as they are, other values as compact JSON, null as empty. */
    private static String cell(@Nullable Object value) {
        if (value == null) {
            return "";
        }
        String text = value instanceof String ? (String) value : Json.write(value, false);
        return text.replaceAll("\\R", " ");
    }

    private static String pad(String s) {
        return String.format("%-24s", s);
    }

    static String csv(String s) {
        return s.contains(",") || s.contains("\"") || s.contains("\n") ? '"' + s.replace("\"", "\"\"") + '"' : s;
    }
}
