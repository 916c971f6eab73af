package io.datalake.mongo.internal.processor;

import static com.mongodb.client.model.Filters.eq;

import com.mongodb.ErrorCategory;
import com.mongodb.MongoWriteException;
import com.mongodb.client.model.UpdateOptions;
import com.mongodb.client.model.Updates;
import com.mongodb.reactivestreams.client.MongoCollection;
import io.datalake.DatalakeException;
import io.datalake.processor.Processor;
import io.datalake.query.engine.ServerFailures;
import java.time.Instant;
import java.util.Date;
import org.bson.Document;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The collection {@code <C>.processors}: one document per processor version, {@code _id} {@code NAME@VERSION},
 * with {@code name}, {@code version}, {@code input} (the query or filter JSON it was last started with),
 * {@code createdAt} and {@code lastActiveAt} (when a worker last finished inputs).
 */
final class Registrations {
    /** Suffix of the collection's name after the datum collection's. */
    static final String SUFFIX = ".processors";
    static final String NAME = "name";
    static final String VERSION = "version";
    static final String INPUT = "input";
    static final String CREATED_AT = "createdAt";
    static final String LAST_ACTIVE_AT = "lastActiveAt";

    private final MongoCollection<Document> registrations;
    private final MongoCollection<Document> leases;

    Registrations(MongoCollection<Document> registrations, MongoCollection<Document> leases) {
        this.registrations = registrations;
        this.leases = leases;
    }

    MongoCollection<Document> collection() {
        return registrations;
    }

    /** Records the processor version (idempotent) and makes sure the lease index exists. */
    Mono<Void> register(Processor processor, Instant now) {
        return server("creating the processor lease index", leases.createIndexes(Leases.indexes()))
                .then(server("registering processor " + processor.key(), Mono.defer(() -> Mono.from(
                                registrations.updateOne(eq("_id", processor.key()), Updates.combine(
                                        Updates.set(NAME, processor.name()), Updates.set(VERSION, processor.version()),
                                        Updates.set(INPUT, processor.input().toJson()),
                                        Updates.setOnInsert(CREATED_AT, Date.from(now))),
                                        new UpdateOptions().upsert(true))))
                        // Two workers registering at once: the loser's upsert collides with the winner's insert,
                        // and trying again updates the document that now exists.
                        .retryWhen(reactor.util.retry.Retry.max(1).filter(e -> e instanceof MongoWriteException w
                                && w.getError().getCategory() == ErrorCategory.DUPLICATE_KEY))))
                .then();
    }

    /** Records that a worker finished inputs now. */
    Mono<Void> touch(Processor processor, Instant now) {
        return server("updating processor " + processor.key(), registrations.updateOne(eq("_id", processor.key()),
                Updates.set(LAST_ACTIVE_AT, Date.from(now)))).then();
    }

    private static <T> Mono<T> server(String context, Publisher<T> call) {
        return Flux.from(call).last().onErrorMap(e -> !(e instanceof DatalakeException),
                e -> ServerFailures.translate(context, e));
    }
}
