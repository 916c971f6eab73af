package io.datalake.mongo.internal.processor;

import static com.mongodb.client.model.Filters.in;
import static com.mongodb.client.model.Projections.include;

import com.mongodb.reactivestreams.client.MongoCollection;
import io.datalake.Datalake;
import io.datalake.DatalakeException;
import io.datalake.DatalakeTimeoutException;
import io.datalake.Datum;
import io.datalake.InvalidArgumentException;
import io.datalake.NewDatum;
import io.datalake.processor.Processor;
import io.datalake.processor.ProcessorMetrics;
import io.datalake.processor.ProcessorOptions;
import io.datalake.processor.ProcessorRow;
import io.datalake.processor.ProcessorRun;
import io.datalake.query.engine.ServerFailures;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import org.bson.Document;
import org.bson.types.ObjectId;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Schedulers;
import reactor.util.retry.Retry;
import reactor.util.retry.RetryBackoffSpec;

/**
 * One run of a processor in this process. The work flows through one pipeline:
 * <pre>
 * units (pages of input rows, feed batches, due leases) -> lease step (one lookup, one insert of new leases, one
 * bulk of conditional updates for free ones, one getData per unit) -> process (concurrency limit; function,
 * outputs, one addData per input) -> outcomes buffered -> settle (one bulk per buffer)
 * </pre>
 * Leases held by the run are renewed every third of the lease duration. A backfill ends when, with nothing in
 * flight, a pass saw no input waiting (for a retry, or held by another worker) and no attempt failed since the
 * previous pass.
 */
final class ProcessorWorker implements ProcessorRun {
    private static final Logger LOG = LoggerFactory.getLogger(ProcessorWorker.class);
    /** Outcomes wait at most this long to be recorded together. */
    private static final Duration SETTLE_DELAY = Duration.ofMillis(20);
    /** How often a backfill checks whether the inputs in flight are finished, at the end of a pass. */
    private static final Duration IDLE_POLL = Duration.ofMillis(5);
    /**
     * Base datums per page of a pass: each page costs a base scan on a server without secondary indexes (the
     * embedded one), so pages are large; one page is read ahead while the previous one is processed.
     */
    private static final int PAGE = 10_000;

    private final Processor processor;
    private final ProcessorOptions options;
    private final Datalake lake;
    private final MongoCollection<Document> datums;
    private final Leases leases;
    private final Registrations registrations;
    private final InputQuery inputs;
    private final @Nullable FeedUnits feed;
    private final boolean continuous;
    private final Clock clock;
    private final int maxOutputs;
    private final String runId;
    private final RunMetrics metrics;
    private final RetryBackoffSpec serverRetry;
    private final OutputWriter writer;
    /** Inputs leased by this run and not settled yet. */
    private final Map<ObjectId, Held> held = new ConcurrentHashMap<>();
    /** Outcomes not recorded yet: a stop that cancels the pipeline records them before releasing the rest. */
    private final Map<ObjectId, Outcome> unsettled = new ConcurrentHashMap<>();
    private final Sinks.Empty<Void> stopSignal = Sinks.empty();
    private final Sinks.One<ProcessorMetrics> completion = Sinks.one();
    private final AtomicBoolean ended = new AtomicBoolean();
    private final AtomicReference<@Nullable Disposable> pipeline = new AtomicReference<>();
    private final AtomicReference<@Nullable Disposable> renewal = new AtomicReference<>();
    private volatile boolean stopping;
    /** Attempts that failed (and wait for a retry) since a backfill pass last looked. */
    private final AtomicInteger failedSincePass = new AtomicInteger();
    /** The earliest time an input this run failed is due for its next attempt (continuous runs rescan then). */
    private final AtomicReference<@Nullable Instant> earliestRetry = new AtomicReference<>();

    /** An input this run holds: its lease as taken, its row, and when the input was created (for the lag). */
    private record Held(Lease lease, Map<String, ObjectId> columns, Instant inputTime) {
    }

    /**
     * Rows to lease together; {@code pass} records what a pass saw (null for a feed batch); {@code end} marks the
     * end of a pass.
     */
    private record Unit(List<Map<String, ObjectId>> rows, @Nullable Pass pass, boolean end) {
    }

    /** One leased input on its way to the function. */
    private record Task(Lease lease, Map<String, ObjectId> columns, @Nullable Datum datum, boolean duplicate) {
    }

    /** What one pass over the input saw: the earliest time an input it skipped may be free. */
    private static final class Pass {
        /** The decision taken at the end of the pass: the delay before the next one, or empty for none. */
        private final Sinks.One<Duration> next = Sinks.one();
        private @Nullable Instant earliestWait;

        synchronized void waitFor(@Nullable Instant until) {
            if (until != null && (earliestWait == null || until.isBefore(earliestWait))) {
                earliestWait = until;
            }
        }

        synchronized @Nullable Instant earliestWait() {
            return earliestWait;
        }
    }

    ProcessorWorker(Processor processor, ProcessorOptions options, Datalake lake, MongoCollection<Document> datums,
            Leases leases, Registrations registrations, InputQuery inputs, @Nullable FeedUnits feed,
            boolean continuous, Clock clock, int maxOutputs) {
        this.processor = processor;
        this.options = options;
        this.lake = lake;
        this.datums = datums;
        this.leases = leases;
        this.registrations = registrations;
        this.inputs = inputs;
        this.feed = feed;
        this.continuous = continuous;
        this.clock = clock;
        this.maxOutputs = maxOutputs;
        this.runId = options.workerId() + "/" + UUID.randomUUID();
        this.metrics = new RunMetrics(clock);
        this.writer = new OutputWriter(lake, maxOutputs, this::existing);
        this.serverRetry = Retry.backoff(options.maxRetries(), options.minBackoff())
                .maxBackoff(options.maxBackoff())
                .jitter(options.jitter())
                .filter(ProcessorWorker::isTransient)
                .doBeforeRetry(signal -> LOG.warn("processor {}: transient server failure, retry {} of {}: {}",
                        processor.key(), signal.totalRetries() + 1, options.maxRetries(),
                        signal.failure().toString()))
                .onRetryExhaustedThrow((spec, signal) -> signal.failure());
    }

    static boolean isTransient(Throwable e) {
        return e instanceof DatalakeException d && d.isTransient();
    }

    private Instant now() {
        return clock.instant();
    }


    /** Registers the processor version, then starts the pipeline and the lease renewal. */
    void start() {
        Flux<List<Outcome>> work = Mono.defer(() -> registrations.register(processor, now()))
                .retryWhen(serverRetry)
                .thenMany(units())
                .concatMap(this::leaseUnit, 0)
                .flatMap(task -> process(task).doOnNext(o -> unsettled.put(o.input(), o)), options.concurrency())
                .bufferTimeout(options.batchSize(), SETTLE_DELAY, true)
                .concatMap(batch -> settle(batch).thenReturn(batch));
        Duration every = options.leaseDuration().dividedBy(3);
        renewal.set(Flux.interval(every, every)
                .onBackpressureDrop()
                .concatMap(tick -> renew(), 1)
                .subscribe());
        pipeline.set(work.subscribe(null, error -> finish(error), () -> finish(null)));
    }

    // ---- where inputs come from ----

    private Flux<Unit> units() {
        Flux<Unit> source = passes();
        if (continuous && feed != null) {
            // The position is taken before the first pass: anything added after it comes from the feed.
            // After one full pass, the feed brings new inputs and rescans of the leases (not of the whole input)
            // bring back what needs another look: expired leases, failed inputs due, dead letters put back.
            FeedUnits f = feed;
            source = f.start().thenMany(Flux.defer(() -> Flux.merge(onePass(), rescans(),
                    f.units(options.batchSize()).map(rows -> new Unit(rows, null, false)))));
        }
        return source.takeUntilOther(stopSignal.asMono());
    }

    /** One full pass, ending with its marker. */
    private Flux<Unit> onePass() {
        return Flux.defer(() -> {
            Pass pass = new Pass();
            return pass(pass).concatWith(Mono.just(new Unit(List.of(), pass, true)));
        });
    }

    /**
     * Looks at the leases that need a worker, every {@link ProcessorOptions#rescanInterval()} or sooner when an
     * input of this run is due for its next attempt: one query on the lease collection, then the input query
     * restricted to those inputs (they must still qualify). Whether a rescan is due is checked every
     * {@link ProcessorOptions#pollInterval()}, without I/O.
     */
    private Flux<Unit> rescans() {
        AtomicReference<Instant> last = new AtomicReference<>(now());
        return Flux.interval(options.pollInterval(), options.pollInterval())
                .onBackpressureDrop()
                .filter(tick -> rescanDue(Objects.requireNonNull(last.get())))
                .concatMap(tick -> {
                    Instant now = now();
                    last.set(now);
                    Instant due = earliestRetry.get();
                    if (due != null && !due.isAfter(now)) {
                        earliestRetry.compareAndSet(due, null);
                    }
                    return leases.due(now, PAGE).retryWhen(serverRetry)
                            .flatMap(this::reconcile)
                            .flatMap(ids -> inputs.rowsOf(ids).retryWhen(serverRetry))
                            .flatMapIterable(rows -> partition(rows, options.batchSize()))
                            .map(rows -> new Unit(rows, null, false));
                }, 0);
    }

    private boolean rescanDue(Instant last) {
        Instant now = now();
        Instant due = earliestRetry.get();
        return !now.isBefore(last.plus(options.rescanInterval())) || due != null && !now.isBefore(due);
    }

    /**
     * Marks done the due leases whose result is stored (a worker died after writing it, before marking it): a
     * {@code missing} query no longer returns such an input, so no attempt would ever find it otherwise.
     *
     * @return the inputs of the other due leases
     */
    private Mono<List<ObjectId>> reconcile(List<Lease> due) {
        List<ObjectId> anchors = new ArrayList<>();
        for (Lease lease : due) {
            if (lease.attempts() > 0 && !held.containsKey(lease.input())) {
                anchors.add(lease.anchor());
            }
        }
        Mono<Set<ObjectId>> stored = anchors.isEmpty() ? Mono.just(Set.of()) : existing(anchors);
        return stored.flatMap(found -> {
            List<Outcome> done = new ArrayList<>();
            List<ObjectId> rest = new ArrayList<>();
            for (Lease lease : due) {
                if (found.contains(lease.anchor())) {
                    done.add(Outcome.duplicate(lease.input()));
                } else {
                    rest.add(lease.input());
                }
            }
            return leases.settle(done, runId, Map.of(), now()).retryWhen(serverRetry).thenReturn(rest);
        });
    }

    /**
     * Passes over the whole input, repeated as a backfill or a continuous run needs. A pass ends with a marker
     * unit: the lease step sees it after the pass's last unit is leased and decides whether and when to pass
     * again; the source waits for that decision.
     */
    private Flux<Unit> passes() {
        AtomicBoolean again = new AtomicBoolean(true);
        return Flux.defer(() -> {
            Pass pass = new Pass();
            return pass(pass)
                    .concatWith(Mono.just(new Unit(List.of(), pass, true)))
                    .concatWith(pass.next.asMono()
                            .switchIfEmpty(Mono.fromRunnable(() -> again.set(false)))
                            .flatMap(delay -> Mono.delay(delay))
                            .then(Mono.empty()));
        }).repeat(again::get);
    }

    private Flux<Unit> pass(Pass pass) {
        AtomicReference<ObjectId> cursor = new AtomicReference<>(InputQuery.FIRST);
        AtomicBoolean more = new AtomicBoolean(true);
        // The cursor moves as the page arrives, before repeat asks whether there is more.
        return Flux.defer(() -> inputs.page(Objects.requireNonNull(cursor.get()), PAGE)
                        .retryWhen(serverRetry)
                        .doOnNext(page -> {
                            ObjectId last = page.last();
                            if (last == null || stopping) {
                                more.set(false);
                            } else {
                                cursor.set(last);
                            }
                        }))
                .repeat(more::get)
                // One page read ahead while the previous one is processed, never more: bounded memory.
                .concatMapIterable(page -> partition(page.rows(), options.batchSize()), 1)
                .map(rows -> new Unit(rows, pass, false));
    }

    /** At the end of a pass: when to pass again (empty: the backfill is over). */
    private Mono<Duration> afterPass(Pass pass) {
        if (stopping) {
            return Mono.empty();
        }
        if (continuous) {
            // A continuous run looks at its whole input again later: expired leases, retries due, dead letters
            // put back. Without a change feed that is also how it finds new inputs.
            Duration next = feed != null ? options.rescanInterval() : options.pollInterval();
            Instant wait = pass.earliestWait();
            if (wait != null) {
                next = min(next, max(Duration.between(now(), wait), options.pollInterval()));
            }
            return Mono.just(next);
        }
        return awaitIdle().then(Mono.defer(() -> {
            Instant wait = pass.earliestWait();
            if (failedSincePass.getAndSet(0) > 0) {
                // Failed inputs wait for their next attempt: the next pass sees them and when they are due.
                return Mono.just(Duration.ZERO);
            }
            if (wait == null || stopping) {
                // Before ending, leases left behind by a worker that died after storing its result are marked.
                return leases.due(now(), PAGE).flatMap(this::reconcile)
                        .onErrorResume(e -> Mono.just(List.of()))
                        .then(Mono.empty());
            }
            return Mono.just(min(max(Duration.between(now(), wait), Duration.ofMillis(1)), options.pollInterval()));
        }));
    }

    private Mono<Void> awaitIdle() {
        return Flux.interval(Duration.ZERO, IDLE_POLL).filter(tick -> held.isEmpty() || stopping).next().then();
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    private static Duration max(Duration a, Duration b) {
        return a.compareTo(b) >= 0 ? a : b;
    }

    static <T> List<List<T>> partition(List<T> list, int size) {
        List<List<T>> parts = new ArrayList<>();
        for (int i = 0; i < list.size(); i += size) {
            parts.add(new ArrayList<>(list.subList(i, Math.min(list.size(), i + size))));
        }
        return parts;
    }

    // ---- leasing ----

    /** Leases what it can of one unit of rows and reads the input datums: a handful of round trips per unit. */
    private Flux<Task> leaseUnit(Unit unit) {
        return Flux.defer(() -> {
            List<Map<String, ObjectId>> rows = unit.rows();
            Pass pass = unit.pass();
            if (unit.end() && pass != null) {
                return afterPass(pass)
                        .doOnNext(pass.next::tryEmitValue)
                        .doOnSuccess(delay -> {
                            if (delay == null) {
                                pass.next.tryEmitEmpty();
                            }
                        })
                        .doOnError(pass.next::tryEmitError)
                        .thenMany(Flux.<Task>empty());
            }
            Pass seenBy = pass != null ? pass : new Pass();
            if (stopping) {
                return Flux.empty();
            }
            metrics.seen(rows.size());
            Map<ObjectId, Map<String, ObjectId>> byInput = new LinkedHashMap<>();
            for (Map<String, ObjectId> row : rows) {
                ObjectId input = row.get(inputs.inputColumn());
                if (input != null && !held.containsKey(input)) {
                    byInput.putIfAbsent(input, row);
                }
            }
            if (byInput.isEmpty()) {
                return Flux.empty();
            }
            Set<ObjectId> malformed = ConcurrentHashMap.newKeySet();
            return leases.lookup(byInput.keySet(), malformed).retryWhen(serverRetry).flatMapMany(existing -> {
                Instant now = now();
                List<ObjectId> takeable = new ArrayList<>();
                List<ObjectId> absent = new ArrayList<>();
                List<ObjectId> free = new ArrayList<>();
                for (ObjectId input : byInput.keySet()) {
                    Lease lease = existing.get(input);
                    if (malformed.contains(input)) {
                        continue;
                    }
                    if (lease == null) {
                        absent.add(input);
                        takeable.add(input);
                    } else if (lease.takeable(now)) {
                        free.add(input);
                        takeable.add(input);
                    } else if (!lease.finished()) {
                        seenBy.waitFor(lease.until());
                    }
                }
                if (takeable.isEmpty() || stopping) {
                    return Flux.empty();
                }
                return leases.take(absent, free, options.workerId(), runId, now, options.leaseDuration())
                        .retryWhen(serverRetry)
                        .flatMapMany(owned -> {
                            for (ObjectId input : takeable) {
                                if (!owned.containsKey(input)) {
                                    // Another worker took it first: theirs, but a backfill looks again.
                                    seenBy.waitFor(now.plus(options.pollInterval()));
                                }
                            }
                            List<Lease> mine = new ArrayList<>();
                            for (ObjectId input : takeable) {
                                Lease lease = owned.get(input);
                                if (lease != null) {
                                    mine.add(lease);
                                    held.put(input, new Held(lease, byInput.getOrDefault(input, Map.of()),
                                            input.getDate().toInstant()));
                                }
                            }
                            return tasks(mine, byInput);
                        });
            });
        });
    }

    /**
     * The tasks of freshly leased inputs: an input whose anchor already exists (an earlier attempt stored its
     * result and died before marking it done) is a duplicate without calling the function; the others get their
     * datums with one read.
     */
    private Flux<Task> tasks(List<Lease> mine, Map<ObjectId, Map<String, ObjectId>> byInput) {
        if (mine.isEmpty()) {
            return Flux.empty();
        }
        List<ObjectId> anchorsToCheck = new ArrayList<>();
        for (Lease lease : mine) {
            if (lease.attempts() > 1) {
                anchorsToCheck.add(lease.anchor());
            }
        }
        Mono<Set<ObjectId>> stored = anchorsToCheck.isEmpty() ? Mono.just(Set.of()) : existing(anchorsToCheck);
        return stored.flatMapMany(anchors -> {
            List<ObjectId> toRead = new ArrayList<>();
            for (Lease lease : mine) {
                if (!anchors.contains(lease.anchor())) {
                    toRead.add(lease.input());
                }
            }
            Mono<Map<ObjectId, Datum>> read = toRead.isEmpty() ? Mono.just(Map.of())
                    : lake.getData(toRead, false).retryWhen(serverRetry)
                            .collectMap(Datum::id, Function.identity())
                            // A missing or malformed input fails the whole read: each such input is then read
                            // alone by its task and fails that task only.
                            .onErrorResume(e -> Mono.just(Map.of()));
            return read.flatMapIterable(found -> {
                List<Task> tasks = new ArrayList<>(mine.size());
                for (Lease lease : mine) {
                    Map<String, ObjectId> columns = byInput.getOrDefault(lease.input(), Map.of());
                    tasks.add(new Task(lease, columns, found.get(lease.input()), anchors.contains(lease.anchor())));
                }
                return tasks;
            });
        });
    }

    /** The subset of {@code ids} stored in the datum collection: one {@code _id $in} read. */
    private Mono<Set<ObjectId>> existing(List<ObjectId> ids) {
        return Flux.from(datums.find(in("_id", ids)).projection(include("_id")))
                .onErrorMap(e -> !(e instanceof DatalakeException), e -> ServerFailures.translate(
                        "checking processor outputs", e))
                .mapNotNull(doc -> doc.get("_id") instanceof ObjectId id ? id : null)
                .collect(HashSet<ObjectId>::new, Set::add)
                .map(set -> (Set<ObjectId>) set)
                .retryWhen(serverRetry);
    }

    // ---- processing ----

    private Mono<Outcome> process(Task task) {
        ObjectId input = task.lease().input();
        return Mono.defer(() -> {
            if (task.duplicate()) {
                metrics.duplicate();
                return Mono.just(Outcome.duplicate(input));
            }
            if (stopping) {
                return Mono.just(Outcome.released(input));
            }
            RetryBackoffSpec retry = Retry.backoff(options.maxRetries(), options.minBackoff())
                    .maxBackoff(options.maxBackoff())
                    .jitter(options.jitter())
                    .filter(ProcessorWorker::isTransient)
                    .doBeforeRetry(signal -> {
                        metrics.retry();
                        LOG.warn("processor {}, input {}: transient failure, retry {} of {}: {}", processor.key(),
                                input.toHexString(), signal.totalRetries() + 1, options.maxRetries(),
                                signal.failure().toString());
                    })
                    .onRetryExhaustedThrow((spec, signal) -> signal.failure());
            return attempt(task)
                    .retryWhen(retry)
                    .map(outputs -> {
                        metrics.done();
                        return Outcome.done(input, outputs);
                    })
                    .onErrorResume(e -> Mono.just(failure(task, e)));
        });
    }

    private Outcome failure(Task task, Throwable e) {
        ObjectId input = task.lease().input();
        if (e instanceof OutputWriter.DuplicateResult) {
            metrics.duplicate();
            return Outcome.duplicate(input);
        }
        metrics.failedAttempt();
        int failures = task.lease().failures() + 1;
        if (!isTransient(e) || failures >= options.maxAttempts()) {
            metrics.deadLettered();
            LOG.warn("processor {}, input {}: dead letter after {} failed attempt(s): {}", processor.key(),
                    input.toHexString(), failures, e.toString());
            return Outcome.dead(input, e);
        }
        failedSincePass.incrementAndGet();
        Instant retryAt = now().plus(nextAttemptDelay(failures));
        earliestRetry.accumulateAndGet(retryAt, (a, b) -> a == null || b.isBefore(a) ? b : a);
        return Outcome.failed(input, e, retryAt);
    }

    /** The wait before the next attempt: the retry backoff doubled per failed attempt, with jitter. */
    private Duration nextAttemptDelay(int failures) {
        long min = Math.max(1, options.minBackoff().toMillis());
        long base = Math.min(options.maxBackoff().toMillis(), min << Math.min(20, failures - 1));
        long spread = (long) (base * options.jitter());
        long jitter = spread == 0 ? 0 : ThreadLocalRandom.current().nextLong(-spread, spread + 1);
        return Duration.ofMillis(Math.max(0, base + jitter));
    }

    /** One attempt: the input, the function, its outputs written as one batch. Emits how many were stored. */
    private Mono<Integer> attempt(Task task) {
        Lease lease = task.lease();
        Datum known = task.datum();
        Mono<Datum> input = known != null ? Mono.just(known) : lake.getDatum(lease.input(), false);
        return input.flatMap(datum -> {
            ProcessorRow row = new ProcessorRow(datum, task.columns(), lease.attempts());
            // On a worker thread: a function that computes eagerly inside apply (Mono.just(model.run(...))) or
            // blocks must not stall the driver's event loop that delivered the input.
            // Reactor rethrows LinkageErrors and StackOverflowErrors (thrown by apply, or by subscribing to
            // Mono.error(e)) instead of signalling them: the attempt would never end, its input would stay in
            // flight with its lease renewed forever. They are the function's failure like any other.
            return Flux.<NewDatum>defer(() -> {
                        org.reactivestreams.Publisher<NewDatum> outputs;
                        try {
                            outputs = processor.function().apply(row);
                        } catch (LinkageError | StackOverflowError e) {
                            throw new FunctionError(e);
                        }
                        if (outputs == null) {
                            throw new NullPointerException("the function returned null instead of a Publisher");
                        }
                        return Flux.<NewDatum>from(subscriber -> {
                            try {
                                outputs.subscribe(subscriber);
                            } catch (LinkageError | StackOverflowError e) {
                                reactor.core.publisher.Operators.error(subscriber, new FunctionError(e));
                            }
                        });
                    })
                    .onErrorMap(e -> e instanceof LinkageError || e instanceof StackOverflowError, FunctionError::new)
                    .subscribeOn(Schedulers.boundedElastic())
                    .collectList()
                    // A function that never completes would hold its input, and renew its lease, for ever.
                    .timeout(options.attemptTimeout(), Mono.error(() -> new DatalakeTimeoutException("processor "
                            + processor.key() + ", input " + lease.input().toHexString() + ": the function did not"
                            + " complete within " + options.attemptTimeout() + " (ProcessorOptions.attemptTimeout)",
                            null)))
                    .flatMap(outputs -> write(lease, outputs));
        });
    }

    /**
     * A {@link LinkageError} or {@link StackOverflowError} of the function, carried as an ordinary exception because
     * Reactor treats those errors as fatal to the JVM; the dead letter records the error itself.
     */
    static final class FunctionError extends RuntimeException {
        private static final long serialVersionUID = 1L;

        FunctionError(Throwable error) {
            super(error.toString(), error);
        }
    }

    private Mono<Integer> write(Lease lease, List<NewDatum> outputs) {
        if (outputs.isEmpty()) {
            return Mono.just(0);
        }
        List<NewDatum> prepared = Outputs.prepare(processor, lease.input(), lease.anchor(), outputs, maxOutputs);
        return writer.write(lease.anchor(), prepared);
    }

    // ---- recording ----

    private Mono<Void> settle(List<Outcome> outcomes) {
        Map<ObjectId, Integer> failures = new HashMap<>();
        for (Outcome o : outcomes) {
            Held h = held.get(o.input());
            failures.put(o.input(), h == null ? 0 : h.lease().failures());
        }
        return leases.settle(outcomes, runId, failures, now())
                .retryWhen(serverRetry)
                .then(registrations.touch(processor, now()).onErrorResume(e -> Mono.empty()))
                .onErrorResume(e -> {
                    // The leases were not updated: they expire, the inputs are taken again, and a stored result is
                    // found by its anchor then. Nothing is lost or duplicated.
                    LOG.warn("processor {}: could not record {} outcomes; their leases will expire: {}",
                            processor.key(), outcomes.size(), e.toString());
                    return Mono.empty();
                })
                .doFinally(signal -> {
                    if (signal != reactor.core.publisher.SignalType.CANCEL) {
                        for (Outcome o : outcomes) {
                            held.remove(o.input());
                            unsettled.remove(o.input());
                        }
                    }
                });
    }

    private Mono<Void> renew() {
        if (held.isEmpty()) {
            return Mono.empty();
        }
        return leases.renew(runId, List.copyOf(held.keySet()), now().plus(options.leaseDuration()))
                .then()
                .onErrorResume(e -> {
                    LOG.warn("processor {}: could not renew {} leases: {}", processor.key(), held.size(),
                            e.toString());
                    return Mono.empty();
                });
    }

    /** Ends the run once: stops renewing, gives back every lease still held, then completes. */
    private void finish(@Nullable Throwable error) {
        if (!ended.compareAndSet(false, true)) {
            return;
        }
        stopping = true;
        Disposable r = renewal.get();
        if (r != null) {
            r.dispose();
        }
        // Outcomes reached but not recorded (a stop cancelled the pipeline) are recorded first: recording is
        // idempotent, and a finished input must not be given back as if it were not.
        List<Outcome> left = new ArrayList<>(unsettled.values());
        Map<ObjectId, Integer> failures = new HashMap<>();
        for (Outcome o : left) {
            Held h = held.get(o.input());
            failures.put(o.input(), h == null ? 0 : h.lease().failures());
        }
        leases.settle(left, runId, failures, now())
                .onErrorResume(e -> {
                    LOG.warn("processor {}: could not record {} outcomes at the end of a run; their leases expire:"
                            + " {}", processor.key(), left.size(), e.toString());
                    return Mono.empty();
                })
                .then(leases.releaseAll(runId, now()))
                .onErrorResume(e -> {
                    LOG.warn("processor {}: could not release leases at the end of a run; they expire: {}",
                            processor.key(), e.toString());
                    return Mono.just(0L);
                })
                .doFinally(signal -> {
                    held.clear();
                    unsettled.clear();
                    if (error != null) {
                        LOG.warn("processor {}: run failed: {}", processor.key(), error.toString());
                        completion.tryEmitError(error);
                    } else {
                        completion.tryEmitValue(metrics());
                    }
                })
                .subscribe(null, e -> { });
    }

    // ---- ProcessorRun ----

    @Override
    public Processor processor() {
        return processor;
    }

    @Override
    public ProcessorMetrics metrics() {
        List<Instant> times = new ArrayList<>(held.size());
        for (Held h : held.values()) {
            times.add(h.inputTime());
        }
        return metrics.snapshot(times);
    }

    @Override
    public Flux<ProcessorMetrics> metrics(Duration interval) {
        if (interval == null || interval.isNegative() || interval.isZero() || interval.compareTo(LONGEST_TIMER) > 0) {
            throw new InvalidArgumentException("metrics interval must be positive and at most " + LONGEST_TIMER
                    + ", got " + interval);
        }
        Mono<ProcessorMetrics> last = completion().onErrorResume(e -> Mono.fromSupplier(this::metrics));
        return Flux.interval(interval, interval)
                .map(tick -> metrics())
                .takeUntilOther(last)
                .concatWith(last);
    }

    @Override
    public Mono<ProcessorMetrics> completion() {
        return completion.asMono();
    }

    /** The longest timer Reactor can schedule without overflowing its nanoseconds, rounded down to 100 years. */
    static final Duration LONGEST_TIMER = Duration.ofDays(36_500);

    @Override
    public Mono<ProcessorMetrics> stop(Duration grace) {
        if (grace == null || grace.isNegative()) {
            throw new InvalidArgumentException("stop: grace period must be zero or positive, got " + grace);
        }
        stopping = true;
        stopSignal.tryEmitEmpty();
        // A longer grace (ChronoUnit.FOREVER) means waiting for the inputs in flight however long they take; a
        // timer that long would overflow Reactor's nanoseconds.
        if (!ended.get() && grace.compareTo(LONGEST_TIMER) <= 0) {
            Mono.delay(grace).subscribe(tick -> forceStop());
        }
        return completion.asMono();
    }

    /** The grace period is over: cancels the work still in flight; {@link #finish} releases its leases. */
    private void forceStop() {
        if (ended.get()) {
            return;
        }
        Disposable p = pipeline.get();
        if (p != null) {
            p.dispose();
        }
        finish(null);
    }

    @Override
    public void close() {
        // Bounded: finishing is one release call, limited by the operation time limit.
        stop(Duration.ZERO).onErrorResume(e -> Mono.empty()).block();
    }

    @Override
    public String toString() {
        return "ProcessorRun{" + processor.key() + ", " + (continuous ? "continuous" : "backfill") + ", run "
                + runId + "}";
    }
}
