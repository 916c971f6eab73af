package io.datalake.cli.internal;

import io.datalake.Datalake;
import io.datalake.schema.DatumViolations;
import io.datalake.schema.Schema;
import io.datalake.schema.SchemaViolation;
import io.datalake.schema.Schemas;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.HelpCommand;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code datalake schema}: JSON Schemas per kind of datum, versioned and immutable. */
@Command(
        name = "schema",
        description = {
            "Register JSON Schemas (draft 2020-12) per kind of datum and check stored datums against them. A datum's "
                    + "kind is its data.type; a schema constrains the document {\"data\": ..., \"metadata\": ...}.",
            "Registering again makes a new version; earlier versions are kept unchanged. New datums are validated "
                    + "against the latest version when they are added."
        },
        subcommands = {
            SchemaCommand.Add.class,
            SchemaCommand.ListSchemas.class,
            SchemaCommand.Show.class,
            SchemaCommand.Check.class,
            HelpCommand.class
        },
        footerHeading = "%nExamples:%n",
        footer = {
            "  datalake schema add image image-schema.json",
            "  datalake schema list",
            "  datalake schema show image@2 > image-v2.json",
            "  datalake schema check image --format csv > violations.csv"
        })
final class SchemaCommand implements Runnable {
    /** {@code KIND@VERSION}: the version is the digits after the last {@code @}. */
    private static final Pattern REF = Pattern.compile("(.+)@([0-9]{1,10})");

    @ParentCommand
    @Nullable RootCommand root;

    @Spec
    @Nullable CommandSpec spec;

    @Override
    public void run() {
        if (spec == null) {
            throw new IllegalStateException("picocli did not inject the command spec");
        }
        throw new ParameterException(spec.commandLine(), "missing subcommand: one of add, list, show, check");
    }

    RootCommand root() {
        if (root == null) {
            throw new IllegalStateException("command is not attached to the datalake command");
        }
        return root;
    }

    /** A schema subcommand: checks its arguments, opens the lake, runs on its schemas, closes the lake. */
    abstract static class Sub implements Callable<Integer> {
        @ParentCommand
        @Nullable SchemaCommand group;

        @Override
        public final Integer call() throws Exception {
            validate();
            try (Datalake lake = root().openLake(true)) {
                return run(lake.schemas());
            }
        }

        /** Checks the arguments before the lake is opened, so usage errors cost no connection. */
        void validate() {
        }

        abstract int run(Schemas schemas) throws Exception;

        RootCommand root() {
            if (group == null) {
                throw new IllegalStateException("command is not attached to the schema command");
            }
            return group.root();
        }

        PrintStream out() {
            return root().context().out();
        }
    }

    static Map<String, @Nullable Object> describe(Schema s) {
        Map<String, @Nullable Object> map = new LinkedHashMap<>();
        map.put("kind", s.kind());
        map.put("version", s.version());
        map.put("created_at", s.createdAt().toString());
        map.put("actor", s.actor());
        return map;
    }

    /** {@code schema add}. */
    @Command(name = "add", description = "Register a new version of the schema of KIND from FILE (or '-' for "
            + "standard input); print KIND@VERSION. An invalid schema is refused (exit 2) and nothing is stored.",
            footerHeading = "%nExamples:%n",
            footer = {"  datalake schema add image image-schema.json",
                "  echo '{\"properties\": {\"metadata\": {\"required\": [\"project\"]}}}' | datalake schema add label -"})
    static final class Add extends Sub {
        @Parameters(index = "0", paramLabel = "KIND", description = "The kind (the value of data.type).")
        @Nullable String kind;

        @Parameters(index = "1", paramLabel = "FILE|-", description = "The JSON Schema, or '-' for standard input.")
        @Nullable String file;

        @Option(names = "--json", description = "Print the registered version as JSON.")
        boolean json;

        private @Nullable String text;

        @Override
        void validate() {
            String k = LakeCommand.required(kind, "KIND");
            String problem = Schema.kindProblem(k);
            if (problem != null) {
                throw new UsageException("KIND '" + k + "': " + problem);
            }
            String source = LakeCommand.required(file, "FILE");
            if ("-".equals(source)) {
                text = AddCommand.readStdin(root().context().in());
            } else {
                Path path = Path.of(source);
                try {
                    text = AddCommand.decodeUtf8(Files.readAllBytes(path), "FILE " + source);
                } catch (IOException e) {
                    throw new UsageException("cannot read FILE " + source + ": " + e.getMessage());
                }
            }
            if (text.isBlank()) {
                throw new UsageException("no schema: FILE " + source + " is empty");
            }
        }

        @Override
        int run(Schemas schemas) {
            Schema s = LakeCommand.await(schemas.register(LakeCommand.required(kind, "KIND"),
                    LakeCommand.required(text, "FILE")), "register");
            out().println(json ? Json.write(describe(s), true) : s.ref());
            return 0;
        }
    }

    /** {@code schema list}. */
    @Command(name = "list", description = "List the latest schema version of every kind.")
    static final class ListSchemas extends Sub {
        @Option(names = "--format", paramLabel = "FORMAT",
                description = "table, json, jsonl or csv (default: ${DEFAULT-VALUE}).")
        DatasetCommand.Format format = DatasetCommand.Format.TABLE;

        @Override
        int run(Schemas schemas) {
            DatasetCommand.Printer printer = new DatasetCommand.Printer(out(), format,
                    List.of("kind", "version", "created_at", "actor"));
            schemas.list().doOnNext(s -> printer.print(describe(s))).blockLast();
            printer.finish();
            return 0;
        }
    }

    /** {@code schema show}. */
    @Command(name = "show", description = "Print a schema exactly as registered (the latest version, or "
            + "KIND@VERSION).",
            footerHeading = "%nExamples:%n",
            footer = {"  datalake schema show image", "  datalake schema show image@1 --json"})
    static final class Show extends Sub {
        @Parameters(index = "0", paramLabel = "KIND[@VERSION]", description = "The kind, and optionally a version.")
        @Nullable String ref;

        @Option(names = "--json", description = "Print kind, version, time, actor and the schema as one JSON "
                + "object.")
        boolean json;

        private @Nullable String kind;
        private @Nullable Integer version;

        @Override
        void validate() {
            String text = LakeCommand.required(ref, "KIND[@VERSION]");
            Matcher m = REF.matcher(text);
            if (m.matches()) {
                kind = m.group(1);
                try {
                    version = Integer.parseInt(m.group(2));
                } catch (NumberFormatException e) {
                    throw new UsageException("'" + text + "': version " + m.group(2) + " is too large");
                }
                if (version < 1) {
                    throw new UsageException("'" + text + "': versions start at 1");
                }
            } else {
                kind = text;
            }
            String problem = Schema.kindProblem(kind);
            if (problem != null) {
                throw new UsageException("KIND '" + kind + "': " + problem);
            }
        }

        @Override
        int run(Schemas schemas) {
            String k = LakeCommand.required(kind, "KIND");
            Schema s = LakeCommand.await(version == null ? schemas.get(k) : schemas.get(k, version), "get");
            if (json) {
                Map<String, @Nullable Object> map = describe(s);
                map.put("schema", Json.parse(s.json(), "the stored schema"));
                out().println(Json.write(map, true));
            } else {
                out().println(s.json());
            }
            return 0;
        }
    }

    /** {@code schema check}. */
    @Command(name = "check", description = "Check the stored datums of KIND against its latest schema and print "
            + "one row per violation: datum id, schema version, JSON pointer, rule, message. Exit 1 when any datum "
            + "violates it. Reads the datums page by page; never modifies anything.",
            footerHeading = "%nExamples:%n",
            footer = {"  datalake schema check image", "  datalake schema check image --format jsonl | jq .pointer"})
    static final class Check extends Sub {
        @Parameters(index = "0", paramLabel = "KIND", description = "The kind.")
        @Nullable String kind;

        @Option(names = "--format", paramLabel = "FORMAT",
                description = "table, json, jsonl or csv (default: ${DEFAULT-VALUE}).")
        DatasetCommand.Format format = DatasetCommand.Format.TABLE;

        @Override
        void validate() {
            String problem = Schema.kindProblem(LakeCommand.required(kind, "KIND"));
            if (problem != null) {
                throw new UsageException("KIND '" + kind + "': " + problem);
            }
        }

        @Override
        int run(Schemas schemas) {
            String k = LakeCommand.required(kind, "KIND");
            Progress progress = new Progress(root().context().err(), root().context().terminal());
            DatasetCommand.Printer printer = new DatasetCommand.Printer(out(), format,
                    List.of("datum", "version", "pointer", "rule", "message"));
            AtomicLong datums = new AtomicLong();
            try {
                schemas.check(k, progress::checked)
                        .doOnNext(v -> {
                            datums.incrementAndGet();
                            progress.violating(datums.get());
                            for (SchemaViolation violation : v.violations()) {
                                printer.print(row(v, violation));
                            }
                        })
                        .blockLast();
            } finally {
                progress.finish();
            }
            printer.finish();
            root().context().err().println(String.format(Locale.ROOT, "checked %d datums of kind '%s': %d %s",
                    progress.checked, k, datums.get(), datums.get() == 1 ? "violates its schema"
                            : "violate its schema"));
            return datums.get() == 0 ? 0 : 1;
        }

        private static Map<String, @Nullable Object> row(DatumViolations v, SchemaViolation violation) {
            Map<String, @Nullable Object> map = new LinkedHashMap<>();
            map.put("datum", v.datumId().toHexString());
            map.put("version", v.schemaVersion());
            map.put("pointer", violation.pointer());
            map.put("rule", violation.keyword());
            map.put("message", violation.message());
            return map;
        }
    }

    /** Progress of a check on standard error, redrawn in place on a terminal; nothing otherwise. */
    static final class Progress {
        private final PrintStream err;
        private final boolean terminal;
        private long checked;
        private long violating;
        private boolean drawn;

        Progress(PrintStream err, boolean terminal) {
            this.err = err;
            this.terminal = terminal;
        }

        synchronized void checked(long count) {
            checked = count;
            draw();
        }

        synchronized void violating(long count) {
            violating = count;
        }

        private void draw() {
            if (terminal) {
                err.print(String.format(Locale.ROOT, "\rchecking: %d datums, %d violating", checked, violating));
                err.flush();
                drawn = true;
            }
        }

        synchronized void finish() {
            if (drawn) {
                err.println();
                drawn = false;
            }
        }
    }
}
