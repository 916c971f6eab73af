package io.datalake.io.internal;

import io.datalake.Datalake;
import io.datalake.DatalakeException;
import io.datalake.Datum;
import io.datalake.NewDatum;
import io.datalake.PayloadInfo;
import io.datalake.io.ImportOptions;
import io.datalake.io.ImportProgress;
import io.datalake.io.ImportReport;
import io.datalake.query.Query;
import io.datalake.query.QueryOptions;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicLong;
import org.bson.types.Binary;
import org.bson.types.ObjectId;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * One import: a format reader checks every annotation file and image name and builds an {@link ImportPlan} before
 * anything is written; then the images are written batch by batch, each batch one lookup of the import keys
 * already in the lake and one {@code addData} call for the image and annotation datums not yet there.
 *
 * <p>Import keys ({@value #KEY_FIELD} in metadata) are SHA-256 digests over canonical JSON: for an image, the
 * format, the SHA-256 of its bytes and its metadata (source, declared size, the user's metadata); for an
 * annotation, its image's key, its data and its metadata. A datum found under a key counts as already imported
 * only if it also matches what the key stands for (an image's payload hash and no parent; an annotation's parent
 * being the image datum used): a stored document is untrusted and cannot make the import skip real work.
 */
public final class ImportJob {
    /** The metadata field holding a datum's import key. */
    public static final String KEY_FIELD = "import_key";
    /** The metadata field holding where a datum came from. */
    public static final String SOURCE_FIELD = "source";
    /** Import keys looked up per query ({@code $in} list length). */
    static final int LOOKUP_CHUNK = 1000;
    /** Version of the key derivation, part of every key: a change of the derivation must change it. */
    private static final int KEY_VERSION = 1;
    private static final Logger LOG = LoggerFactory.getLogger(ImportJob.class);

    private final Datalake lake;
    private final ImportOptions options;
    private final AtomicLong imagesAdded = new AtomicLong();
    private final AtomicLong imagesSkipped = new AtomicLong();
    private final AtomicLong annotationsAdded = new AtomicLong();
    private final AtomicLong annotationsSkipped = new AtomicLong();

    private ImportJob(Datalake lake, ImportOptions options) {
        this.lake = lake;
        this.options = options;
    }

    /**
     * Runs an import: the planner (which reads and checks every file) on a blocking-friendly thread, then the
     * batches.
     *
     * @param lake the lake
     * @param planner reads and checks the input; throws {@link io.datalake.io.ImportFormatException} or
     *     {@link io.datalake.InvalidArgumentException} for bad input
     * @param options the import's options
     * @return the report when every batch is written
     */
    public static Mono<ImportReport> run(Datalake lake, Callable<ImportPlan> planner, ImportOptions options) {
        return Mono.using(planner, plan -> new ImportJob(lake, options).write(plan), plan -> plan.cleanup().run())
                .subscribeOn(Schedulers.boundedElastic());
    }

    /**
     * Plans a COCO import.
     *
     * @param annotations the COCO JSON file
     * @param images the images folder
     * @return the planner
     */
    public static Callable<ImportPlan> coco(Path annotations, Path images) {
        return () -> new CocoImportReader(annotations, images).read();
    }

    /**
     * Plans a Pascal VOC import.
     *
     * @param folder the VOC folder
     * @return the planner
     */
    public static Callable<ImportPlan> voc(Path folder) {
        return () -> new VocImportReader(folder).read();
    }

    private Mono<ImportReport> write(ImportPlan plan) {
        List<ImportItem> items = plan.items();
        int batchSize = options.batchSize();
        long total = items.size();
        return Flux.range(0, (items.size() + batchSize - 1) / batchSize)
                .map(b -> items.subList(b * batchSize, Math.min(items.size(), (b + 1) * batchSize)))
                .concatMap(batch -> Mono.fromCallable(() -> prepare(plan.format(), batch))
                        .subscribeOn(Schedulers.boundedElastic())
                        .flatMap(prepared -> existing(prepared).map(found -> build(prepared, found)))
                        .flatMap(this::store)
                        .doOnNext(done -> options.progress().accept(new ImportProgress(
                                imagesAdded.get() + imagesSkipped.get(), total,
                                annotationsAdded.get() + annotationsSkipped.get()))))
                .then(Mono.fromCallable(() -> new ImportReport(plan.format(), plan.files(), imagesAdded.get(),
                        imagesSkipped.get(), annotationsAdded.get(), annotationsSkipped.get())));
    }

    /** An image ready to be looked up and written. */
    private record Prepared(ImportItem item, String sha256, byte @Nullable [] bytes, String key,
            Map<String, @Nullable Object> metadata, List<PreparedAnnotation> annotations) {
    }

    private record PreparedAnnotation(Map<String, @Nullable Object> data, Map<String, @Nullable Object> metadata,
            String key) {
    }

    /** What one batch writes and counts. */
    private record Batch(List<NewDatum> datums, long imagesAdded, long imagesSkipped, long annotationsAdded,
            long annotationsSkipped) {
    }

    /** Hashes a batch's images and derives the keys of its datums. */
    private List<Prepared> prepare(String format, List<ImportItem> batch) {
        List<Prepared> prepared = new ArrayList<>(batch.size());
        for (ImportItem item : batch) {
            byte[] bytes = null;
            String sha;
            try {
                if (options.registry() == null) {
                    // No registry named: the lake decides (inline up to its limit, else its default registry),
                    // which needs the bytes themselves.
                    bytes = Files.readAllBytes(item.image());
                    sha = HexFormat.of().formatHex(Digests.sha256().digest(bytes));
                } else {
                    sha = sha256(item.image());
                }
            } catch (IOException e) {
                throw new DatalakeException("cannot read image " + item.image() + " (it was readable when the"
                        + " import was checked): " + e, e);
            }
            Map<String, @Nullable Object> metadata = new LinkedHashMap<>(options.metadata());
            metadata.putAll(item.metadata().get());
            String key = ImportJson.sha256(ImportJson.canonical(plain(Map.of("v", KEY_VERSION, "role", "image",
                    "format", format, "sha256", sha, "metadata", metadata))));
            metadata.put(KEY_FIELD, key);
            List<PreparedAnnotation> annotations = new ArrayList<>();
            for (ImportItem.Annotation a : item.annotations().get()) {
                Map<String, @Nullable Object> annotationMetadata = new LinkedHashMap<>(a.metadata());
                Map<String, Object> keyed = new LinkedHashMap<>();
                keyed.put("v", KEY_VERSION);
                keyed.put("role", "annotation");
                keyed.put("image", key);
                keyed.put("data", a.data());
                keyed.put("metadata", annotationMetadata);
                String annotationKey = ImportJson.sha256(ImportJson.canonical(plain(keyed)));
                annotationMetadata.put(KEY_FIELD, annotationKey);
                annotations.add(new PreparedAnnotation(a.data(), annotationMetadata, annotationKey));
            }
            prepared.add(new Prepared(item, sha, bytes, key, metadata, annotations));
        }
        return prepared;
    }

    /** The datums already stored under a batch's keys: one query (per {@value #LOOKUP_CHUNK} keys) and one read. */
    private Mono<Map<String, List<Datum>>> existing(List<Prepared> batch) {
        List<String> keys = new ArrayList<>();
        for (Prepared p : batch) {
            keys.add(p.key());
            p.annotations().forEach(a -> keys.add(a.key()));
        }
        return Flux.range(0, (keys.size() + LOOKUP_CHUNK - 1) / LOOKUP_CHUNK)
                .map(c -> keys.subList(c * LOOKUP_CHUNK, Math.min(keys.size(), (c + 1) * LOOKUP_CHUNK)))
                .concatMap(chunk -> {
                    Map<String, Object> level = new LinkedHashMap<>();
                    level.put("column", "d");
                    level.put("metadata." + KEY_FIELD, Map.of("$in", List.copyOf(chunk)));
                    return lake.queryRows(Query.fromMaps(List.of(level)), QueryOptions.defaults())
                            .map(row -> row.get("d")).filter(Objects::nonNull).collectList()
                            .flatMapMany(ids -> ids.isEmpty() ? Flux.empty() : lake.getData(ids, false));
                })
                .collectMultimap(d -> String.valueOf(d.metadata().get(KEY_FIELD)))
                .map(found -> {
                    Map<String, List<Datum>> byKey = new LinkedHashMap<>();
                    found.forEach((k, v) -> {
                        List<Datum> sorted = new ArrayList<>(v);
                        // The oldest first: every run picks the same datum when concurrent runs stored two.
                        sorted.sort(Comparator.comparing(Datum::id));
                        byKey.put(k, sorted);
                    });
                    return byKey;
                });
    }

    /** Decides, image by image, what is already stored and what to add. */
    private Batch build(List<Prepared> batch, Map<String, List<Datum>> found) {
        List<NewDatum> datums = new ArrayList<>();
        long imgAdded = 0;
        long imgSkipped = 0;
        long annAdded = 0;
        long annSkipped = 0;
        for (Prepared p : batch) {
            Datum image = null;
            for (Datum candidate : found.getOrDefault(p.key(), List.of())) {
                if (candidate.derivedFrom() == null && holds(candidate, p.sha256())) {
                    image = candidate;
                    break;
                }
                LOG.warn("skipping datum {}: it carries the import key {} of image {} but not its content or"
                        + " lineage (written by another client?)", candidate.id(), p.key(), p.item().image());
            }
            ObjectId imageId;
            if (image != null) {
                imageId = image.id();
                imgSkipped++;
            } else {
                imageId = new ObjectId();
                datums.add(NewDatum.builder().id(imageId)
                        .data(p.bytes() != null ? p.bytes() : p.item().image())
                        .registryUri(options.registry())
                        .metadata(p.metadata())
                        .build());
                imgAdded++;
            }
            for (PreparedAnnotation a : p.annotations()) {
                boolean stored = false;
                for (Datum candidate : found.getOrDefault(a.key(), List.of())) {
                    if (imageId.equals(candidate.derivedFrom())) {
                        stored = true;
                        break;
                    }
                }
                if (stored) {
                    annSkipped++;
                } else {
                    datums.add(NewDatum.builder().data(a.data()).metadata(a.metadata()).derivedFrom(imageId)
                            .build());
                    annAdded++;
                }
            }
        }
        return new Batch(datums, imgAdded, imgSkipped, annAdded, annSkipped);
    }

    private Mono<Batch> store(Batch batch) {
        Mono<Long> written = batch.datums().isEmpty() ? Mono.just(0L)
                : lake.addData(Flux.fromIterable(batch.datums())).count();
        return written.map(n -> {
            imagesAdded.addAndGet(batch.imagesAdded());
            imagesSkipped.addAndGet(batch.imagesSkipped());
            annotationsAdded.addAndGet(batch.annotationsAdded());
            annotationsSkipped.addAndGet(batch.annotationsSkipped());
            return batch;
        });
    }

    /** Whether a stored image datum holds the bytes with this hash (registry payload or inline bytes). */
    private static boolean holds(Datum datum, String sha256) {
        PayloadInfo payload = datum.payload();
        if (payload != null) {
            return sha256.equals(payload.sha256());
        }
        Object data = datum.data();
        byte[] bytes = data instanceof byte[] b ? b : data instanceof Binary binary ? binary.getData() : null;
        return bytes != null && sha256.equals(HexFormat.of().formatHex(Digests.sha256().digest(bytes)));
    }

    private static String sha256(Path file) throws IOException {
        MessageDigest digest = Digests.sha256();
        byte[] buffer = new byte[64 * 1024];
        try (InputStream in = Files.newInputStream(file)) {
            for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                digest.update(buffer, 0, n);
            }
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    /**
     * A value reduced to JSON-like types with sorted maps, so the key of equal content is equal whatever the
     * caller's map and number classes; other objects (a user's metadata may hold an ObjectId or a date) count by
     * their type and text.
     */
    private static @Nullable Object plain(@Nullable Object value) {
        if (value == null || value instanceof String || value instanceof Boolean) {
            return value;
        }
        if (value instanceof Double || value instanceof Float) {
            return ((Number) value).doubleValue();
        }
        if (value instanceof Number n && (value instanceof Long || value instanceof Integer
                || value instanceof Short || value instanceof Byte)) {
            return n.longValue();
        }
        if (value instanceof Map<?, ?> map) {
            Map<String, @Nullable Object> sorted = new TreeMap<>();
            map.forEach((k, v) -> sorted.put(String.valueOf(k), plain(v)));
            return sorted;
        }
        if (value instanceof Iterable<?> iterable) {
            List<@Nullable Object> list = new ArrayList<>();
            iterable.forEach(v -> list.add(plain(v)));
            return list;
        }
        if (value instanceof byte[] bytes) {
            return "bytes:" + HexFormat.of().formatHex(bytes);
        }
        return value.getClass().getName() + ":" + value;
    }
}
