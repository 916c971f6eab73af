package io.datalake.mongo.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.mongodb.ConnectionString;
import com.mongodb.MongoClientSettings;
import com.mongodb.MongoTimeoutException;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import io.datalake.DatalakeSettings;
import io.datalake.RegistrySettings;
import io.datalake.mongo.EmbeddedMongo;
import io.datalake.registry.RegistryBackend;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.bson.Document;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

/** Closing a lake that owns an embedded server: every resource is closed even when one close fails. */
class EmbeddedLakeCloseTest {

    @Test
    void aRegistryWhoseCloseFailsStillLetsTheClientAndTheEmbeddedServerClose() {
        IllegalStateException closeFailure = new IllegalStateException("backend close failed");
        RegistryBackend failing = (RegistryBackend) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {RegistryBackend.class}, (proxy, method, args) -> switch (method.getName()) {
                    case "uri" -> "file:///failing-close";
                    case "close" -> throw closeFailure;
                    case "toString" -> "failing backend";
                    case "hashCode" -> System.identityHashCode(proxy);
                    case "equals" -> proxy == args[0];
                    default -> throw new UnsupportedOperationException(method.getName());
                });
        MongoDatalake lake = MongoDatalake.open(DatalakeSettings.builder()
                .registry(RegistrySettings.builder().backend(failing).build())
                .build());
        EmbeddedMongo embedded = lake.lifecycle().embedded();
        assertThat(embedded).isNotNull();
        String uri = embedded.connectionString();

        assertThatThrownBy(lake::close).satisfies(e -> assertThat(causes(e)).contains(closeFailure));

        // The lake's client is closed: the driver refuses new operations.
        assertThatThrownBy(() -> Mono.from(lake.documents().countDocuments()).block())
                .isInstanceOf(IllegalStateException.class);
        // The embedded server is stopped: nothing answers on its port any more.
        try (MongoClient probe = MongoClients.create(MongoClientSettings.builder()
                .applyConnectionString(new ConnectionString(uri))
                .applyToClusterSettings(cluster -> cluster.serverSelectionTimeout(500, TimeUnit.MILLISECONDS))
                .build())) {
            assertThatThrownBy(() -> probe.getDatabase("admin").runCommand(new Document("ping", 1)))
                    .isInstanceOf(MongoTimeoutException.class);
        }
        // A second close has nothing left to do.
        lake.close();
    }

    /** The exception and its causes, outermost first. */
    private static List<Throwable> causes(Throwable e) {
        List<Throwable> chain = new ArrayList<>();
        for (Throwable t = e; t != null && !chain.contains(t); t = t.getCause()) {
            chain.add(t);
        }
        return chain;
    }
}
