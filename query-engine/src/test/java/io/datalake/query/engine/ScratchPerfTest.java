package io.datalake.query.engine;

import com.mongodb.reactivestreams.client.MongoCollection;
import io.datalake.query.Query;
import io.datalake.query.QueryOptions;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Random;
import org.bson.Document;
import org.bson.types.ObjectId;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

class ScratchPerfTest {
    @Test
    void probe() {
        MongoCollection<Document> c = EmbeddedServer.freshCollection();
        Random r = new Random(1);
        List<Document> batch = new ArrayList<>();
        long t0 = System.currentTimeMillis();
        long time = 1_600_000_000_000L;
        int n = 100_000;
        for (int i = 0; i < n; i++) {
            ObjectId img = new ObjectId();
            batch.add(new Document("_id", img).append("data", new Document("type", "image").append("i", i))
                    .append("derived_from", null).append("metadata", new Document()).append("added_at", new Date(time++)));
            int k = 1 + r.nextInt(3);
            for (int j = 0; j < k; j++) {
                ObjectId cl = new ObjectId();
                batch.add(new Document("_id", cl).append("data", new Document("type", "classification").append("label", "c" + r.nextInt(10)))
                        .append("derived_from", img).append("metadata", new Document()).append("added_at", new Date(time++)));
                int b = r.nextInt(3);
                for (int q = 0; q < b; q++) {
                    batch.add(new Document("_id", new ObjectId()).append("data", new Document("type", "box").append("x", r.nextInt(100)))
                            .append("derived_from", cl).append("metadata", new Document()).append("added_at", new Date(time++)));
                }
            }
            if (batch.size() >= 10_000) {
                Mono.from(c.insertMany(batch)).block();
                batch = new ArrayList<>();
            }
        }
        if (!batch.isEmpty()) {
            Mono.from(c.insertMany(batch)).block();
        }
        System.out.println("insert ms " + (System.currentTimeMillis() - t0) + " docs " + Mono.from(c.countDocuments()).block());
        QueryEngine engine = new QueryEngine(c);
        Query full = Query.fromJson("[{\"column\":\"image\",\"data.type\":\"image\"},"
                + "{\"column\":\"label\",\"derived_from\":\"image\",\"data.type\":\"classification\"},"
                + "{\"column\":\"box\",\"derived_from\":\"label\",\"data.type\":\"box\"}]");
        Query missing = Query.fromJson("[{\"column\":\"image\",\"data.type\":\"image\"},"
                + "{\"column\":\"label\",\"derived_from\":\"image\",\"data.type\":\"classification\", \"strategy\":\"missing\"}]");
        for (int rep = 0; rep < 3; rep++) {
            long s0 = System.nanoTime();
            Document proj = new Document("_id", 1).append("derived_from", 1).append("added_at", 1);
            Long k = Flux.from(c.find(new Document("data.type", "image")).projection(new Document("_id", 1))
                    .sort(new Document("added_at", -1).append("_id", -1)).batchSize(1000)).count().block();
            System.out.println("sorted base all ms " + (System.nanoTime() - s0) / 1e6 + " " + k);
            s0 = System.nanoTime();
            k = Flux.from(c.find(new Document("data.type", "image")).projection(new Document("_id", 1)).batchSize(10000)).count().block();
            System.out.println("unsorted base all ms " + (System.nanoTime() - s0) / 1e6 + " " + k);
            s0 = System.nanoTime();
            k = Flux.from(c.find(new Document("data.type", "classification")).projection(proj).batchSize(10000)).count().block();
            System.out.println("level1 scan ms " + (System.nanoTime() - s0) / 1e6 + " " + k);
            s0 = System.nanoTime();
            k = Flux.from(c.withDocumentClass(org.bson.RawBsonDocument.class).find(new Document("data.type", "classification")).projection(proj).batchSize(10000)).count().block();
            System.out.println("level1 scan raw ms " + (System.nanoTime() - s0) / 1e6 + " " + k);
            s0 = System.nanoTime();
            k = Flux.from(c.find(new Document("data.type", "nothing")).projection(proj).batchSize(10000)).count().block();
            System.out.println("empty scan ms " + (System.nanoTime() - s0) / 1e6 + " " + k);
            long s = System.nanoTime();
            Long cnt = Flux.from(c.find().projection(new Document("_id", 1).append("derived_from", 1).append("added_at", 1)).batchSize(10000)).count().block();
            System.out.println("raw pass ms " + (System.nanoTime() - s) / 1e6 + " " + cnt);
            s = System.nanoTime();
            cnt = engine.rows(full, QueryOptions.defaults()).count().block();
            System.out.println("full ms " + (System.nanoTime() - s) / 1e6 + " rows " + cnt);
            s = System.nanoTime();
            cnt = engine.rows(full, QueryOptions.datumsWanted(100)).count().block();
            System.out.println("wanted100 ms " + (System.nanoTime() - s) / 1e6 + " rows " + cnt);
            s = System.nanoTime();
            cnt = engine.rows(missing, QueryOptions.defaults()).count().block();
            System.out.println("missing ms " + (System.nanoTime() - s) / 1e6 + " rows " + cnt);
            s = System.nanoTime();
            cnt = Flux.from(c.find(new Document("data.type", "box"))).count().block();
            System.out.println("filtered find ms " + (System.nanoTime() - s) / 1e6 + " rows " + cnt);
        }
    }
}
