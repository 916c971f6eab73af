package io.datalake.cli.internal;

import io.datalake.Datalake;
import io.datalake.dataset.AuditOptions;
import io.datalake.dataset.AuditReport;
import io.datalake.dataset.CheckResult;
import io.datalake.dataset.DatasetInfo;
import io.datalake.dataset.DatasetProgress;
import io.datalake.dataset.DatasetSource;
import io.datalake.dataset.Datasets;
import io.datalake.dataset.DiffEntry;
import io.datalake.dataset.Row;
import io.datalake.dataset.VersionInfo;
import io.datalake.dataset.VersionRef;
import io.datalake.query.Query;
import io.datalake.query.QueryOptions;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import org.bson.types.ObjectId;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.HelpCommand;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code datalake dataset}: named, versioned, immutable tables of datum ids, with write-audit-publish. */
@Command(
        name = "dataset",
        description = {
            "Freeze query results into named, immutable, numbered dataset versions: create a draft, audit it, "
                    + "publish it, then read, compare and tag versions.",
            "A draft is addressed as NAME@DRAFT_ID (the id 'create' prints); a published version as NAME (latest), "
                    + "NAME@NUMBER or NAME@TAG."
        },
        subcommands = {
            DatasetCommand.Create.class,
            DatasetCommand.Audit.class,
            DatasetCommand.Publish.class,
            DatasetCommand.ListDatasets.class,
            DatasetCommand.Show.class,
            DatasetCommand.Rows.class,
            DatasetCommand.Diff.class,
            DatasetCommand.Tag.class,
            DatasetTagCommands.Untag.class,
            DatasetTagCommands.Tags.class,
            DatasetDraftCommands.Drafts.class,
            DatasetDraftCommands.Discard.class,
            DatasetDraftCommands.Gc.class,
            HelpCommand.class
        },
        footerHeading = "%nExamples:%n",
        footer = {
            "  datalake dataset create street-scenes --query labelled.json --limit 1000 --seed 7",
            "  datalake dataset audit street-scenes@6650f1c2a7b3d94e1c0a1b2c",
            "  datalake dataset publish street-scenes@6650f1c2a7b3d94e1c0a1b2c",
            "  datalake dataset rows street-scenes@3 --format csv > train.csv",
            "  datalake dataset diff street-scenes@2 street-scenes@3",
            "  datalake dataset tag street-scenes@3 prod",
            "  datalake dataset tags street-scenes",
            "  datalake dataset gc --older-than 7d --dry-run"
        })
final class DatasetCommand implements Runnable {
    @ParentCommand
    @Nullable RootCommand root;

    @Spec
    @Nullable CommandSpec spec;

    @Override
    public void run() {
        if (spec == null) {
            throw new IllegalStateException("picocli did not inject the command spec");
        }
        throw new ParameterException(spec.commandLine(), "missing subcommand: one of create, audit, "
                + "publish, list, show, rows, diff, tag, untag, tags, drafts, discard, gc");
    }

    RootCommand root() {
        if (root == null) {
            throw new IllegalStateException("command is not attached to the datalake command");
        }
        return root;
    }

    /** Output formats of rows and diffs. */
    enum Format { TABLE, JSON, JSONL, CSV }

    /** A dataset subcommand: checks its arguments, opens the lake, runs on its datasets, closes the lake. */
    abstract static class Sub implements Callable<Integer> {
        @ParentCommand
        @Nullable DatasetCommand group;

        @Override
        public final Integer call() throws Exception {
            validate();
            try (Datalake lake = root().openLake(true)) {
                return run(lake.datasets());
            }
        }

        /** Checks the arguments before the lake is opened, so usage errors cost no connection. */
        void validate() {
        }

        abstract int run(Datasets datasets) throws Exception;

        RootCommand root() {
            if (group == null) {
                throw new IllegalStateException("command is not attached to the dataset command");
            }
            return group.root();
        }

        PrintStream out() {
            return root().context().out();
        }

        /** Progress of long work: on standard error, drawn in place when it is a terminal. */
        PrintStream err() {
            return root().context().err();
        }

        boolean terminal() {
            return root().context().terminal();
        }
    }

    /** A draft as the user names it: {@code NAME@DRAFT_ID}. */
    record DraftRef(String dataset, ObjectId id) {
        static DraftRef parse(String text) {
            int at = text.indexOf('@');
            if (at < 0) {
                throw new UsageException("'" + text + "' is not a draft: expected NAME@DRAFT_ID, the id 'dataset "
                        + "create' printed");
            }
            String name = VersionRef.requireName(text.substring(0, at));
            String id = text.substring(at + 1);
            if (!ObjectId.isValid(id)) {
                throw new UsageException("'" + text + "': '" + id + "' is not a draft id (24 hex digits, as "
                        + "'dataset create' printed)");
            }
            return new DraftRef(name, new ObjectId(id));
        }

        /** Reads the draft and checks it belongs to the dataset the user named. */
        VersionInfo load(Datasets datasets) {
            VersionInfo info = LakeCommand.await(datasets.version(id), "version");
            if (!info.dataset().equals(dataset)) {
                throw new UsageException("draft " + id.toHexString() + " belongs to dataset '" + info.dataset()
                        + "', not '" + dataset + "'");
            }
            return info;
        }

        @Override
        public String toString() {
            return dataset + "@" + id.toHexString();
        }
    }

    /** Parses NAME, NAME@NUMBER, NAME@latest or NAME@TAG, naming the bad value (exit 2). */
    static VersionRef ref(String text) {
        VersionRef ref = VersionRef.parse(text);
        VersionRef.requireName(ref.dataset());
        return ref;
    }

    /** Reads a version: a draft when the selector is a draft id, else through {@link Datasets#resolve}. */
    static VersionInfo lookup(Datasets datasets, String text) {
        VersionRef ref = ref(text);
        if (ObjectId.isValid(ref.selector())) {
            return DraftRef.parse(text).load(datasets);
        }
        return LakeCommand.await(datasets.resolve(ref), "resolve");
    }

    static String name(VersionInfo v) {
        return v.dataset() + "@" + (v.number() != null ? v.number().toString() : v.id().toHexString());
    }

    static Map<String, @Nullable Object> describe(VersionInfo v) {
        Map<String, @Nullable Object> map = new LinkedHashMap<>();
        map.put("dataset", v.dataset());
        map.put("id", v.id().toHexString());
        map.put("version", v.number());
        map.put("state", v.state().name().toLowerCase(java.util.Locale.ROOT));
        map.put("columns", v.columns());
        map.put("rows", v.rowCount());
        map.put("complete", v.complete());
        map.put("content_hash", v.contentHash());
        map.put("tags", v.tags());
        map.put("actor", v.actor());
        map.put("created_at", v.createdAt().toString());
        map.put("published_at", v.publishedAt() == null ? null : v.publishedAt().toString());
        AuditReport audit = v.audit();
        map.put("audit", audit == null ? null : describe(audit));
        return map;
    }

    static Map<String, @Nullable Object> describe(AuditReport report) {
        Map<String, @Nullable Object> map = new LinkedHashMap<>();
        map.put("passed", report.passed());
        map.put("content_hash", report.contentHash());
        map.put("actor", report.actor());
        map.put("finished_at", report.finishedAt().toString());
        List<Map<String, @Nullable Object>> checks = new ArrayList<>();
        for (CheckResult c : report.checks()) {
            Map<String, @Nullable Object> check = new LinkedHashMap<>();
            check.put("name", c.name());
            check.put("passed", c.passed());
            check.put("rows_checked", c.rowsChecked());
            check.put("failures", c.failures());
            check.put("example_rows", c.exampleRows());
            check.put("message", c.message());
            checks.add(check);
        }
        map.put("checks", checks);
        return map;
    }

    /** {@code dataset create}. */
    @Command(name = "create", description = "Create a draft version of dataset NAME from a query's rows; print "
            + "its id, row count and content hash. The dataset is created if it does not exist. On a terminal, a "
            + "running row count on stderr.",
            footerHeading = "%nExamples:%n",
            footer = {
                "  datalake dataset create street-scenes --query labelled.json --limit 1000 --seed 7",
                "  cat labelled.json | datalake dataset create street-scenes --query - --description 'cars, day'"
            })
    static final class Create extends Sub {
        @Parameters(index = "0", paramLabel = "NAME", description = "The dataset name (lower-case letters, digits, "
                + "'.', '_', '-').")
        @Nullable String name;

        @Option(names = "--query", required = true, paramLabel = "FILE",
                description = "The query as a JSON file, or '-' for standard input (see 'datalake query --help').")
        @Nullable String queryFile;

        @Option(names = "--limit", paramLabel = "N", description = "Keep the first N complete rows (datumsWanted).")
        @Nullable Integer limit;

        @Option(names = "--seed", paramLabel = "N", description = "Seed for the 'random' strategy, for a repeatable "
                + "draft.")
        @Nullable Long seed;

        @Option(names = "--description", paramLabel = "TEXT", description = "Describes a new dataset (an existing "
                + "dataset keeps its description).")
        @Nullable String description;

        @Option(names = "--json", description = "Print the draft as JSON.")
        boolean json;

        private @Nullable Query query;

        @Override
        void validate() {
            VersionRef.requireName(LakeCommand.required(name, "NAME"));
            if (limit != null && limit < 1) {
                throw new UsageException("--limit must be 1 or more, got " + limit);
            }
            query = QueryFile.read(LakeCommand.required(queryFile, "--query"), root().context().in(), "--query");
        }

        @Override
        int run(Datasets datasets) {
            String dataset = LakeCommand.required(name, "NAME");
            Query q = LakeCommand.required(query, "--query");
            if (description != null) {
                LakeCommand.await(datasets.create(dataset, description), "create");
            }
            QueryOptions options = QueryOptions.builder().datumsWanted(limit).seed(seed).build();
            // The row count is unknown until the query ends: a running count on a terminal, the result line elsewhere.
            Progress progress = Progress.unbounded(err(), terminal(), "creating " + dataset + ":");
            VersionInfo draft;
            try {
                draft = LakeCommand.await(datasets.createDraft(dataset, DatasetSource.query(q, options),
                        done -> progress.show(done, done + " rows")), "createDraft");
            } finally {
                progress.finish();
            }
            if (json) {
                out().println(Json.write(describe(draft), true));
            } else {
                out().println("draft " + name(draft) + "  " + draft.rowCount() + " rows  columns "
                        + String.join(",", draft.columns()) + "  hash " + draft.contentHash());
                out().println("next: datalake dataset audit " + name(draft));
            }
            return 0;
        }
    }

    /** {@code dataset audit}. */
    @Command(name = "audit", description = "Run the built-in checks (every datum exists, no duplicate rows, no "
            + "empty column) on drafts and print the report. Exits 1 when a check fails. Shows a progress bar on a "
            + "terminal and a line per tenth otherwise, on stderr.",
            footerHeading = "%nExamples:%n",
            footer = {"  datalake dataset audit street-scenes@6650f1c2a7b3d94e1c0a1b2c"})
    static final class Audit extends Sub {
        @Parameters(arity = "1..*", paramLabel = "NAME@DRAFT", description = "Drafts, as 'dataset create' printed.")
        List<String> drafts = new ArrayList<>();

        @Option(names = "--json", description = "Print each report as one JSON line.")
        boolean json;

        private final List<DraftRef> refs = new ArrayList<>();

        @Override
        void validate() {
            drafts.forEach(d -> refs.add(DraftRef.parse(d)));
        }

        @Override
        int run(Datasets datasets) {
            boolean passed = true;
            for (DraftRef ref : refs) {
                VersionInfo draft = ref.load(datasets);
                CheckProgress progress = new CheckProgress(err(), terminal(), ref.toString(), draft.rowCount());
                AuditReport report;
                try {
                    report = LakeCommand.await(datasets.audit(ref.id(), AuditOptions.defaults(), List.of(), progress),
                            "audit");
                } finally {
                    progress.finish();
                }
                passed &= report.passed();
                if (json) {
                    Map<String, @Nullable Object> map = new LinkedHashMap<>();
                    map.put("draft", ref.toString());
                    map.putAll(describe(report));
                    out().println(Json.write(map, false));
                    continue;
                }
                out().println(ref + ": " + (report.passed() ? "passed" : "FAILED"));
                for (CheckResult c : report.checks()) {
                    out().println("  " + (c.passed() ? "ok    " : "FAILED") + "  " + c.name() + "  "
                            + c.rowsChecked() + " rows checked, " + c.failures() + " failures"
                            + (c.exampleRows().isEmpty() ? "" : ", e.g. rows " + c.exampleRows().stream()
                                    .map(String::valueOf).collect(Collectors.joining(",")))
                            + (c.message() == null ? "" : "  " + c.message()));
                }
            }
            return passed ? 0 : 1;
        }

        /** An audit's progress: the bar covers every check; the text names the current check and its rows. */
        private static final class CheckProgress implements DatasetProgress {
            private final PrintStream err;
            private final boolean terminal;
            private final String draft;
            private final long rows;
            private @Nullable Progress progress;
            private String check = "";
            private int number;
            private int count;

            CheckProgress(PrintStream err, boolean terminal, String draft, long rows) {
                this.err = err;
                this.terminal = terminal;
                this.draft = draft;
                this.rows = rows;
            }

            @Override
            public void check(String name, int number, int count) {
                if (progress == null) {
                    progress = new Progress(err, terminal, "auditing", "auditing " + draft + ":", "rows",
                            rows * count);
                }
                this.check = name;
                this.number = number;
                this.count = count;
                rows(0);
            }

            @Override
            public void rows(long done) {
                Progress p = progress;
                if (p != null) {
                    p.show((number - 1) * rows + done, "check " + number + "/" + count + " " + check + ": " + done
                            + "/" + rows + " rows");
                }
            }

            void finish() {
                Progress p = progress;
                if (p != null) {
                    p.finish();
                }
            }
        }
    }

    /** {@code dataset publish}. */
    @Command(name = "publish", description = "Publish an audited draft as the dataset's next version number; print "
            + "it. A draft never audited, whose audit failed or changed since, is refused.",
            footerHeading = "%nExamples:%n",
            footer = {"  datalake dataset publish street-scenes@6650f1c2a7b3d94e1c0a1b2c"})
    static final class Publish extends Sub {
        @Parameters(index = "0", paramLabel = "NAME@DRAFT", description = "The draft, as 'dataset create' printed.")
        @Nullable String draft;

        @Option(names = "--json", description = "Print the version as JSON.")
        boolean json;

        private @Nullable DraftRef ref;

        @Override
        void validate() {
            ref = DraftRef.parse(LakeCommand.required(draft, "NAME@DRAFT"));
        }

        @Override
        int run(Datasets datasets) {
            DraftRef r = LakeCommand.required(ref, "NAME@DRAFT");
            r.load(datasets);
            VersionInfo version = LakeCommand.await(datasets.publish(r.id()), "publish");
            if (json) {
                out().println(Json.write(describe(version), true));
            } else {
                out().println("published " + name(version) + "  " + version.rowCount() + " rows  hash "
                        + version.contentHash());
            }
            return 0;
        }
    }

    /** {@code dataset list}. */
    @Command(name = "list", description = "List the datasets: name, latest version, tags, description.")
    static final class ListDatasets extends Sub {
        @Option(names = "--json", description = "Print one JSON object a line.")
        boolean json;

        @Override
        int run(Datasets datasets) {
            datasets.datasets().doOnNext(d -> out().println(json ? Json.write(describe(d), false) : line(d)))
                    .blockLast();
            return 0;
        }

        private static String line(DatasetInfo d) {
            String tags = d.tags().entrySet().stream().map(e -> e.getKey() + "=" + e.getValue())
                    .collect(Collectors.joining(","));
            return String.format("%-24s latest=%-5s %s  %s", d.name(), d.latest() == null ? "-" : d.latest(),
                    tags.isEmpty() ? "-" : tags, d.description()).stripTrailing();
        }

        private static Map<String, @Nullable Object> describe(DatasetInfo d) {
            Map<String, @Nullable Object> map = new LinkedHashMap<>();
            map.put("name", d.name());
            map.put("latest", d.latest());
            map.put("tags", d.tags());
            map.put("description", d.description());
            map.put("created_at", d.createdAt().toString());
            map.put("actor", d.actor());
            return map;
        }
    }

    /** {@code dataset show}. */
    @Command(name = "show", description = "Show a version: state, columns, rows, hash, tags, audit.",
            footerHeading = "%nExamples:%n",
            footer = {"  datalake dataset show street-scenes", "  datalake dataset show street-scenes@prod --json"})
    static final class Show extends Sub {
        @Parameters(index = "0", paramLabel = "NAME[@VERSION|@TAG]", description = "The version (default: latest;"
                + " NAME@DRAFT_ID shows a draft).")
        @Nullable String version;

        @Option(names = "--json", description = "Print the version as JSON.")
        boolean json;

        @Override
        void validate() {
            ref(LakeCommand.required(version, "NAME"));
        }

        @Override
        int run(Datasets datasets) {
            VersionInfo v = lookup(datasets, LakeCommand.required(version, "NAME"));
            Map<String, @Nullable Object> map = describe(v);
            if (json) {
                out().println(Json.write(map, true));
                return 0;
            }
            map.remove("audit");
            map.forEach((k, value) -> out().println(String.format("%-13s %s", k,
                    value == null || value instanceof List<?> e && e.isEmpty() ? "-" : value instanceof List<?> l ? l.stream().map(String::valueOf)
                            .collect(Collectors.joining(",")) : value)));
            AuditReport audit = v.audit();
            out().println(String.format("%-13s %s", "audit", audit == null ? "-"
                    : (audit.passed() ? "passed" : "failed") + " at " + audit.finishedAt() + " by " + audit.actor()));
            return 0;
        }
    }

    /** Prints rows of ids with a header, in one of the four formats. */
    static final class Printer {
        private final PrintStream out;
        private final Format format;
        private final AtomicLong count = new AtomicLong();

        Printer(PrintStream out, Format format, List<String> header) {
            this.out = out;
            this.format = format;
            switch (format) {
                case TABLE -> out.println(header.stream().map(Printer::pad).collect(Collectors.joining("  "))
                        .stripTrailing());
                case CSV -> out.println(header.stream().map(QueryCommand::csv).collect(Collectors.joining(",")));
                case JSON -> out.print("[");
                default -> { }
            }
        }

        void print(Map<String, @Nullable Object> row) {
            long n = count.incrementAndGet();
            switch (format) {
                case TABLE -> out.println(row.values().stream().map(v -> pad(v == null ? "-" : String.valueOf(v)))
                        .collect(Collectors.joining("  ")).stripTrailing());
                case CSV -> out.println(row.values().stream().map(v -> v == null ? "" : QueryCommand.csv(
                        String.valueOf(v))).collect(Collectors.joining(",")));
                case JSON -> out.print((n == 1 ? "\n  " : ",\n  ") + Json.write(row, false));
                default -> out.println(Json.write(row, false));
            }
        }

        void finish() {
            if (format == Format.JSON) {
                out.println(count.get() == 0 ? "]" : "\n]");
            } else if (format == Format.TABLE) {
                out.println("(" + count.get() + (count.get() == 1 ? " row)" : " rows)"));
            }
        }

        private static String pad(String s) {
            return String.format("%-24s", s);
        }
    }

    /** {@code dataset rows}. */
    @Command(name = "rows", description = "Print a version's rows (row number and one datum id a column), in order.",
            footerHeading = "%nExamples:%n",
            footer = {"  datalake dataset rows street-scenes@3 --format csv > train.csv",
                "  datalake dataset rows street-scenes@prod --limit 10"})
    static final class Rows extends Sub {
        @Parameters(index = "0", paramLabel = "NAME[@VERSION|@TAG]", description = "The version (default: latest;"
                + " NAME@DRAFT_ID reads a draft).")
        @Nullable String version;

        @Option(names = "--limit", paramLabel = "N", description = "Print the first N rows only.")
        @Nullable Long limit;

        @Option(names = "--format", paramLabel = "FORMAT", defaultValue = "table",
                description = "table, json, jsonl or csv (default: ${DEFAULT-VALUE}).")
        Format format = Format.TABLE;

        @Override
        void validate() {
            ref(LakeCommand.required(version, "NAME"));
            if (limit != null && limit < 1) {
                throw new UsageException("--limit must be 1 or more, got " + limit);
            }
        }

        @Override
        int run(Datasets datasets) {
            VersionInfo v = lookup(datasets, LakeCommand.required(version, "NAME"));
            List<String> header = new ArrayList<>();
            header.add("row");
            header.addAll(v.columns());
            Printer printer = new Printer(out(), format, header);
            var rows = datasets.rows(v.id());
            (limit == null ? rows : rows.take(limit)).doOnNext(row -> printer.print(map(row, v.columns())))
                    .blockLast();
            printer.finish();
            return 0;
        }

        private static Map<String, @Nullable Object> map(Row row, List<String> columns) {
            Map<String, @Nullable Object> map = new LinkedHashMap<>();
            map.put("row", row.number());
            for (String column : columns) {
                map.put(column, row.get(column).toHexString());
            }
            return map;
        }
    }

    /** {@code dataset diff}. */
    @Command(name = "diff", description = "Print the rows added (+) and removed (-) from version A to version B.",
            footerHeading = "%nExamples:%n",
            footer = {"  datalake dataset diff street-scenes@2 street-scenes@3",
                "  datalake dataset diff street-scenes@prod street-scenes --format jsonl"})
    static final class Diff extends Sub {
        @Parameters(index = "0", paramLabel = "A", description = "The older version.")
        @Nullable String a;

        @Parameters(index = "1", paramLabel = "B", description = "The newer version.")
        @Nullable String b;

        @Option(names = "--format", paramLabel = "FORMAT", defaultValue = "table",
                description = "table, json, jsonl or csv (default: ${DEFAULT-VALUE}).")
        Format format = Format.TABLE;

        @Override
        void validate() {
            ref(LakeCommand.required(a, "A"));
            ref(LakeCommand.required(b, "B"));
        }

        @Override
        int run(Datasets datasets) {
            VersionRef from = ref(LakeCommand.required(a, "A"));
            VersionRef to = ref(LakeCommand.required(b, "B"));
            List<String> columns = LakeCommand.await(datasets.resolve(to), "resolve").columns();
            List<String> header = new ArrayList<>();
            header.add("change");
            header.addAll(columns);
            Printer printer = new Printer(out(), format, header);
            AtomicLong added = new AtomicLong();
            AtomicLong removed = new AtomicLong();
            datasets.diff(from, to).doOnNext(entry -> {
                boolean plus = entry.kind() == DiffEntry.Kind.ADDED;
                (plus ? added : removed).incrementAndGet();
                Map<String, @Nullable Object> map = new LinkedHashMap<>();
                map.put("change", format == Format.TABLE ? (plus ? "+" : "-") : plus ? "added" : "removed");
                entry.columns().forEach((k, v) -> map.put(k, v.toHexString()));
                printer.print(map);
            }).blockLast();
            if (format == Format.TABLE) {
                out().println("(" + added.get() + " added, " + removed.get() + " removed)");
            } else {
                printer.finish();
            }
            return 0;
        }
    }

    /** {@code dataset tag}. */
    @Command(name = "tag", description = "Point TAG of a dataset at a published version (moving it if it exists; "
            + "every move is recorded).",
            footerHeading = "%nExamples:%n",
            footer = {"  datalake dataset tag street-scenes@3 prod"})
    static final class Tag extends Sub {
        @Parameters(index = "0", paramLabel = "NAME@VERSION", description = "A published version number.")
        @Nullable String version;

        @Parameters(index = "1", paramLabel = "TAG", description = "The tag, e.g. prod.")
        @Nullable String tag;

        private @Nullable VersionRef ref;

        @Override
        void validate() {
            VersionRef r = ref(LakeCommand.required(version, "NAME@VERSION"));
            if (!r.isNumber()) {
                throw new UsageException("'" + version + "': expected NAME@NUMBER, e.g. "
                        + r.dataset() + "@3");
            }
            VersionRef.requireTag(LakeCommand.required(tag, "TAG"));
            ref = r;
        }

        @Override
        int run(Datasets datasets) {
            VersionRef r = LakeCommand.required(ref, "NAME@VERSION");
            String t = LakeCommand.required(tag, "TAG");
            var move = LakeCommand.await(datasets.tag(r.dataset(), t, Integer.parseInt(r.selector())), "tag");
            out().println(r.dataset() + "@" + t + " -> " + move.to()
                    + (move.from() == null ? "" : " (was " + move.from() + ")"));
            return 0;
        }
    }
}
