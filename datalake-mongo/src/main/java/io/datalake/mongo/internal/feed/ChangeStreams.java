package io.datalake.mongo.internal.feed;

import com.mongodb.reactivestreams.client.MongoDatabase;
import org.bson.BsonTimestamp;
import org.bson.Document;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;

/**
 * Whether the server offers change streams: a replica set member reports {@code setName} and a mongos
 * {@code msg: "isdbgrid"} in its handshake answer. The legacy {@code isMaster} is asked first, because every server
 * answers it (drivers open each connection with it, MongoDB 8 included) while the embedded server refuses
 * {@code hello} and logs the refusal as an error; {@code hello} is the fallback. A server that refuses both, or
 * answers neither way, has none and gets the polling tail. The answer is asked once and kept.
 */
public final class ChangeStreams {
    private static final Logger log = LoggerFactory.getLogger(ChangeStreams.class);

    private final MongoDatabase database;
    private final Mono<Boolean> supported;

    /**
     * Creates the probe.
     *
     * @param database the lake's database (the commands run there, under the lake's operation time limit)
     */
    public ChangeStreams(MongoDatabase database) {
        this.database = database;
        this.supported = Mono.defer(() -> handshake()
                        .map(ChangeStreams::offersChangeStreams)
                        .onErrorResume(e -> {
                            log.debug("change feed: the server answered neither isMaster nor hello ({}); using the "
                                    + "polling tail", e.toString());
                            return Mono.just(false);
                        }))
                .cache();
    }

    /** A probe with a fixed answer, for tests. */
    ChangeStreams(MongoDatabase database, boolean answer) {
        this.database = database;
        this.supported = Mono.just(answer);
    }

    /**
     * Tells whether the server offers change streams.
     *
     * @return true for a replica set or sharded cluster; never fails (false when the server cannot say)
     */
    public Mono<Boolean> supported() {
        return supported;
    }

    /**
     * Reads the server's current operation time (the time of its latest write, from a command's answer).
     *
     * @return the time, or empty if the answer carries none
     */
    Mono<BsonTimestamp> operationTime() {
        return Mono.from(database.runCommand(new Document("ping", 1)))
                .flatMap(answer -> {
                    Object time = answer.get("operationTime");
                    if (time == null && answer.get("$clusterTime") instanceof Document) {
                        time = ((Document) answer.get("$clusterTime")).get("clusterTime");
                    }
                    return time instanceof BsonTimestamp ? Mono.just((BsonTimestamp) time) : Mono.empty();
                });
    }

    private Mono<Document> handshake() {
        return Mono.from(database.runCommand(new Document("isMaster", 1)))
                .onErrorResume(e -> Mono.from(database.runCommand(new Document("hello", 1))));
    }

    static boolean offersChangeStreams(@Nullable Document answer) {
        return answer != null && (answer.get("setName") instanceof String || "isdbgrid".equals(answer.get("msg")));
    }
}
