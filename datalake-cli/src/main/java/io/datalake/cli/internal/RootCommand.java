package io.datalake.cli.internal;

import io.datalake.Datalake;
import com.mongodb.ConnectionString;
import io.datalake.DatalakeSettings;
import io.datalake.RegistrySettings;
import io.datalake.mongo.Datalakes;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.HelpCommand;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

/** The {@code datalake} command: connection options shared by every subcommand. */
@Command(
        name = "datalake",
        mixinStandardHelpOptions = true,
        scope = ScopeType.INHERIT,
        versionProvider = VersionProvider.class,
        description = {
            "Look into a datalake from the terminal: add and read datums, follow their lineage, run queries, "
                    + "import files and annotated image sets, see statistics, freeze query results into versioned datasets "
                    + "and export them to JSONL, Parquet, Hugging Face and COCO.",
            "",
            "Connects to MongoDB with --mongo-uri (or DATALAKE_MONGO_URI); without one, runs on a throwaway "
                    + "embedded in-memory lake that is gone when the command ends (the demo uses it)."
        },
        subcommands = {
            DemoCommand.class,
            AddCommand.class,
            GetCommand.class,
            ChildrenCommand.class,
            DescendantsCommand.class,
            LineageCommand.class,
            QueryCommand.class,
            ImportCommand.class,
            ExportCommand.class,
            StatsCommand.class,
            DatasetCommand.class,
            SchemaCommand.class,
            DeleteCommand.class,
            FsckCommand.class,
            GcCommand.class,
            ProcessorsCommand.class,
            WatchCommand.class,
            HelpCommand.class
        },
        footerHeading = "%nExamples:%n",
        footer = {
            "  datalake demo",
            "  export DATALAKE_MONGO_URI=mongodb://localhost:27017",
            "  export DATALAKE_REGISTRY=/data/lake-payloads",
            "  id=$(datalake add --payload cat.jpg --metadata '{\"type\": \"image\"}')",
            "  datalake lineage $id --format dot | dot -Tpng > lineage.png",
            "  datalake export --dataset street-scenes@3 --format hf ./street-scenes-hf",
            "",
            "Exit codes: 0 success, 1 runtime failure, 2 bad usage or invalid input,",
            "130 interrupted (Ctrl-C).",
            "Environment: DATALAKE_MONGO_URI, DATALAKE_DATABASE, DATALAKE_REGISTRY."
        })
public final class RootCommand implements Runnable {
    /** Environment variable read when {@code --mongo-uri} is not given. */
    public static final String ENV_MONGO_URI = "DATALAKE_MONGO_URI";
    /** Environment variable read when {@code --database} is not given. */
    public static final String ENV_DATABASE = "DATALAKE_DATABASE";
    /** Environment variable read when {@code --registry} is not given. */
    public static final String ENV_REGISTRY = "DATALAKE_REGISTRY";
    /** How long a command waits for an unreachable MongoDB unless the URI says otherwise. */
    static final int SERVER_SELECTION_TIMEOUT_MS = 10_000;

    private final CliContext context;

    @Spec
    @Nullable CommandSpec spec;

    @Option(names = "--mongo-uri", paramLabel = "URI", scope = ScopeType.INHERIT,
            description = "MongoDB connection string (default: $DATALAKE_MONGO_URI, else an embedded in-memory lake).")
    @Nullable String mongoUri;

    @Option(names = "--database", paramLabel = "NAME", scope = ScopeType.INHERIT,
            description = "Database name (default: $DATALAKE_DATABASE, else '" + DatalakeSettings.DEFAULT_DATABASE
                    + "').")
    @Nullable String database;

    @Option(names = "--registry", paramLabel = "URI", scope = ScopeType.INHERIT,
            // One URI form a line: a wrapped description would break a URI after "s3:" and it could not be pasted.
            description = {"Registry for payloads (default: $DATALAKE_REGISTRY), one of:", "  /abs/path",
                "  file:///abs/path", "  s3://bucket/prefix", "  gs://bucket/prefix"})
    @Nullable String registry;

    @Option(names = "--verbose", scope = ScopeType.INHERIT,
            description = "Print stack traces of failures.")
    boolean verbose;

    /**
     * Creates the command.
     *
     * @param context the streams and environment the commands use
     */
    public RootCommand(CliContext context) {
        this.context = context;
    }

    @Override
    public void run() {
        throw new ParameterException(spec().commandLine(), "missing command (try 'datalake demo')");
    }

    CliContext context() {
        return context;
    }

    private CommandSpec spec() {
        if (spec == null) {
            throw new IllegalStateException("picocli did not inject the command spec");
        }
        return spec;
    }

    /**
     * Tells whether {@code --verbose} was given, so failures print their stack trace.
     *
     * @return true when verbose
     */
    public boolean verboseRequested() {
        return verbose;
    }

    /** Returns the MongoDB URI from the option or the environment, or null for the embedded server. */
    @Nullable String mongoUri() {
        return mongoUri != null ? mongoUri : context.env(ENV_MONGO_URI);
    }

    /** Returns the database from the option or the environment, or null for the default. */
    @Nullable String database() {
        return database != null ? database : context.env(ENV_DATABASE);
    }

    /** Returns the registry URI from the option or the environment, or null when none is set. */
    @Nullable String registry() {
        return registry != null ? registry : context.env(ENV_REGISTRY);
    }

    /** Returns the registry URI or fails with a usage error that says how to set one. */
    String requireRegistry(String why) {
        String uri = registry();
        if (uri == null) {
            throw new UsageException(why + " needs a registry: pass --registry URI or set " + ENV_REGISTRY);
        }
        return uri;
    }

    /**
     * Opens the lake the options and environment describe.
     *
     * @param announceEmbedded whether to warn on stderr that an embedded lake is throwaway
     * @return the open lake
     */
    Datalake openLake(boolean announceEmbedded) {
        return Datalakes.create(settings(announceEmbedded).build());
    }

    DatalakeSettings.Builder settings(boolean announceEmbedded) {
        DatalakeSettings.Builder builder = DatalakeSettings.builder();
        String uri = mongoUri();
        if (uri != null) {
            checkMongoUri(uri);
            builder.mongoUri(withDefaultTimeout(uri));
        } else if (announceEmbedded) {
            context.err().println("datalake: note: no --mongo-uri or " + ENV_MONGO_URI
                    + " set; using a throwaway embedded lake");
        }
        String db = database();
        if (db != null) {
            builder.database(db);
        }
        String registry = registry();
        if (registry != null) {
            // Values too large to keep inline go to the registry the user named, as the library does with its
            // default registry; without one they fail with a message that says to pass --registry. The default
            // registry is also on the read allow-list, so 'get' reads what 'add' stored there.
            builder.registry(RegistrySettings.builder().defaultRegistry(registry).build());
        }
        return builder;
    }

    /** Names a malformed connection string's problem before the driver turns it into a settings dump. */
    private static void checkMongoUri(String uri) {
        if (!uri.startsWith("mongodb://") && !uri.startsWith("mongodb+srv://")) {
            return;
        }
        try {
            new ConnectionString(uri);
        } catch (IllegalArgumentException e) {
            throw new UsageException("--mongo-uri " + DatalakeSettings.redact(uri) + ": " + e.getMessage()
                    + " (see https://www.mongodb.com/docs/manual/reference/connection-string/)");
        }
    }

    /** Fails fast on an unreachable server: the driver would otherwise wait 30 seconds. */
    static String withDefaultTimeout(String uri) {
        if (uri.contains("serverSelectionTimeoutMS=") || !uri.startsWith("mongodb")) {
            return uri;
        }
        String option = "serverSelectionTimeoutMS=" + SERVER_SELECTION_TIMEOUT_MS;
        if (uri.contains("?")) {
            return uri + (uri.endsWith("?") || uri.endsWith("&") ? "" : "&") + option;
        }
        int authority = uri.indexOf("://") + 3;
        return uri + (uri.indexOf('/', authority) < 0 ? "/?" : "?") + option;
    }
}
