package io.datalake.cli.internal;

import io.datalake.Datalake;
import io.datalake.Datum;
import io.datalake.NewDatum;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.bson.types.ObjectId;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code datalake add}: adds one datum and prints its id. */
@Command(
        name = "add",
        description = {
            "Add one datum and print its id.",
            "DATA and --metadata are JSON; {\"$oid\": \"...\"} and {\"$date\": \"...\"} give ids and dates."
        },
        footerHeading = "%nExamples:%n",
        footer = {
            "  datalake add '{\"type\": \"image\", \"path\": \"cats/1.jpg\"}' --metadata '{\"project\": \"cv\"}'",
            "  datalake add --payload cat.jpg --metadata '{\"type\": \"image\"}' --registry /data/payloads",
            "  datalake add '{\"label\": \"cat\"}' --derived-from 665f1c2e8a9b4c3d2e1f0a9b",
            "  echo '{\"type\": \"note\"}' | datalake add -"
        })
final class AddCommand extends LakeCommand {
    @Parameters(index = "0", arity = "0..1", paramLabel = "DATA",
            description = "The datum's data as JSON, or '-' to read it from standard input. Not with --payload.")
    @Nullable String data;

    @Option(names = "--metadata", paramLabel = "JSON", description = "Metadata as a JSON object.")
    @Nullable String metadata;

    @Option(names = "--payload", paramLabel = "FILE",
            description = "Store this file's bytes in the registry (--registry) as the datum's data.")
    @Nullable Path payload;

    @Option(names = "--derived-from", paramLabel = "ID", description = "The id of the parent datum.")
    @Nullable ObjectId derivedFrom;

    @Option(names = "--json", description = "Print the stored datum as JSON instead of its id.")
    boolean json;

    private @Nullable Object parsedData;
    private @Nullable Map<String, @Nullable Object> parsedMetadata;
    private @Nullable String registryUri;

    @Override
    void validate() {
        if (data != null && payload != null) {
            throw new UsageException("give either DATA or --payload, not both");
        }
        if (data != null) {
            String text = "-".equals(data) ? readStdin(root().context().in()) : data;
            parsedData = Json.parse(text, "DATA");
        }
        parsedMetadata = metadata == null ? null : Json.parseObject(metadata, "--metadata");
        if (payload != null) {
            if (!Files.isRegularFile(payload)) {
                throw new UsageException("--payload " + payload + ": no such file");
            }
            registryUri = root().requireRegistry("--payload");
        }
    }

    @Override
    int run(Datalake lake) {
        // A file is handed over as a Path: the registry streams it instead of holding it in memory.
        Object value = payload != null ? payload : parsedData;
        Datum datum = lake.addDatum(NewDatum.builder()
                        .data(value)
                        .metadata(parsedMetadata)
                        .registryUri(registryUri)
                        .derivedFrom(derivedFrom)
                        .build())
                .block();
        if (datum == null) {
            throw new IllegalStateException("addDatum completed without a datum");
        }
        out().println(json ? Json.write(Json.datum(datum), true) : datum.id().toHexString());
        return 0;
    }

    static String readStdin(InputStream in) {
        try {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UsageException("cannot read standard input: " + e.getMessage());
        }
    }
}
