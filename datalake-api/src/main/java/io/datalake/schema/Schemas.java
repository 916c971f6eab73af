package io.datalake.schema;

import java.util.function.LongConsumer;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The JSON Schemas of a lake, one history per kind. Reached through {@link io.datalake.Datalake#schemas()}; every
 * call is lazy (nothing happens until subscription), every server call runs under the lake's operation time limit,
 * and every failure is a {@link io.datalake.DatalakeException}.
 *
 * <pre>{@code
 * Schemas schemas = lake.schemas();
 * schemas.register("image", """
 *     {"type": "object", "required": ["data", "metadata"],
 *      "properties": {"data": {"required": ["width"], "properties": {"width": {"type": "integer"}}},
 *                     "metadata": {"required": ["project"]}}}""").block();   // version 1
 * lake.addDatum(Map.of("type", "image"), Map.of()).block();   // SchemaViolationException: /data/width: required
 * schemas.check("image").subscribe(v -> log(v));              // stored datums that violate version 1
 * }</pre>
 *
 * <p>A schema constrains a datum's document view {@code {"data": <data>, "metadata": {...}}} (see the README for
 * how values such as ids and dates appear in it). Versions are immutable: {@link #register} always adds the next
 * version and never rewrites an earlier one.
 */
public interface Schemas {
    /**
     * Registers a new version of the schema of a kind, after checking it is a valid JSON Schema draft 2020-12
     * whose {@code $ref}s all resolve inside itself. The next version number of the kind is taken with a unique
     * index, so two concurrent registrations get distinct versions. This lake validates against it at once; other
     * lake objects within their {@linkplain SchemaSettings#cacheTtl() cache TTL}.
     *
     * @param kind the kind, see {@link Schema#kindProblem(String)}
     * @param schemaJson the JSON Schema text
     * @return the stored schema with its version
     * @throws io.datalake.InvalidArgumentException (signalled) if the kind is not valid
     * @throws InvalidSchemaException (signalled, nothing stored) if the text is not a usable schema
     * @throws SchemaConflictException (signalled, nothing stored) if concurrent registrations kept winning
     */
    Mono<Schema> register(String kind, String schemaJson);

    /**
     * Returns the latest schema of a kind.
     *
     * @param kind the kind
     * @return the schema with the highest version
     * @throws SchemaNotFoundException (signalled) if the kind has no schema
     * @throws MalformedSchemaException (signalled) if the stored document cannot be read
     */
    Mono<Schema> get(String kind);

    /**
     * Returns one version of the schema of a kind.
     *
     * @param kind the kind
     * @param version the version, from 1
     * @return the schema
     * @throws SchemaNotFoundException (signalled) if there is no such version
     * @throws MalformedSchemaException (signalled) if the stored document cannot be read
     */
    Mono<Schema> get(String kind, int version);

    /**
     * Returns the latest schema of every kind, by kind.
     *
     * @return the latest versions, ordered by kind; a stored document that cannot be read fails the stream with
     *     {@link MalformedSchemaException}
     */
    Flux<Schema> list();

    /**
     * Returns every version of the schema of a kind, oldest first.
     *
     * @param kind the kind
     * @return the versions; empty when the kind has none
     */
    Flux<Schema> history(String kind);

    /**
     * Streams the stored datums of a kind that violate the kind's latest schema: datums written before the schema,
     * in {@link ValidationMode#WARN} or {@link ValidationMode#OFF} mode, or by another client. Reads the datums of
     * the kind in {@code _id} order, one page of {@link io.datalake.DatalakeSettings#batchSize()} at a time (each
     * page its own server call, so the scan is not bounded by one operation time limit and holds one page in
     * memory); JSON payloads in a registry are loaded and validated too. Stored documents that are not readable
     * datums are skipped with a logged warning. Never modifies anything.
     *
     * @param kind the kind
     * @return the violating datums, in {@code _id} order, each with a null {@link DatumViolations#index()}
     * @throws SchemaNotFoundException (signalled) if the kind has no schema
     * @throws MalformedSchemaException (signalled) if its latest schema cannot be used
     */
    default Flux<DatumViolations> check(String kind) {
        return check(kind, checked -> { });
    }

    /**
     * As {@link #check(String)}, reporting progress.
     *
     * @param kind the kind
     * @param progress called after each page with the number of datums of the kind checked so far
     * @return the violating datums
     */
    Flux<DatumViolations> check(String kind, LongConsumer progress);
}
