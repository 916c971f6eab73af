package io.datalake.mongo;

import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.backend.memory.MemoryBackend;
import io.datalake.DatalakeException;
import java.net.InetSocketAddress;

/**
 * An in-process MongoDB-compatible server (mongo-java-server, in-memory) on 127.0.0.1 and a free port, for tests,
 * demos and the embedded default. The lake talks to it only through the normal driver, exactly as it talks to a
 * real MongoDB.
 *
 * <p>It keeps nothing on disk and ignores non-unique indexes (queries on them are collection scans); it supports
 * neither sessions nor transactions. Use a real MongoDB for anything that must survive the process.
 */
public final class EmbeddedMongo implements AutoCloseable {
    private final MongoServer server;
    private final String connectionString;

    private EmbeddedMongo(MongoServer server, InetSocketAddress address) {
        this.server = server;
        this.connectionString = "mongodb://" + address.getHostString() + ":" + address.getPort();
    }

    /**
     * Starts a new server on 127.0.0.1 and a free port.
     *
     * @return the running server
     * @throws DatalakeException if the server cannot start
     */
    public static EmbeddedMongo start() {
        MongoServer server = new MongoServer(new MemoryBackend());
        try {
            server.bind("127.0.0.1", 0);
            return new EmbeddedMongo(server, server.getLocalAddress());
        } catch (RuntimeException e) {
            server.shutdownNow();
            throw new DatalakeException("could not start the embedded MongoDB server on 127.0.0.1", e);
        }
    }

    /**
     * Returns the connection string of this server, for {@link io.datalake.DatalakeSettings.Builder#mongoUri}.
     *
     * @return a {@code mongodb://127.0.0.1:port} URI
     */
    public String connectionString() {
        return connectionString;
    }

    /** Stops the server and drops all its data. Idempotent. */
    @Override
    public void close() {
        server.shutdownNow();
    }

    @Override
    public String toString() {
        return "EmbeddedMongo{" + connectionString + "}";
    }
}
