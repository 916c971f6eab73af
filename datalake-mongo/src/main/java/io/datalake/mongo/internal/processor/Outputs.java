package io.datalake.mongo.internal.processor;

import io.datalake.InvalidArgumentException;
import io.datalake.NewDatum;
import io.datalake.processor.Processor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bson.types.ObjectId;
import org.jspecify.annotations.Nullable;

/** Turns what a processor function returned for one input into the datums that are written. */
final class Outputs {
    private Outputs() {
    }

    /**
     * Stamps the outputs of one attempt: output #0 gets the anchor as its id, every output gets
     * {@code metadata.processor = {name, version, input}}.
     *
     * @param maxOutputs the most outputs one all-or-nothing write holds (the lake's batch size)
     * @throws InvalidArgumentException if an output is null, output #0 chose an id, an output carries metadata
     *     under {@link Processor#OUTPUT_METADATA_KEY}, or there are more than {@code maxOutputs}
     */
    static List<NewDatum> prepare(Processor processor, ObjectId input, ObjectId anchor, List<NewDatum> outputs,
            int maxOutputs) {
        String who = "processor " + processor.key() + ", input " + input.toHexString();
        if (outputs.size() > maxOutputs) {
            throw new InvalidArgumentException(who + ": the function returned " + outputs.size()
                    + " datums; the outputs of one input are written as one batch of at most " + maxOutputs
                    + " (the lake's batchSize)");
        }
        Map<String, Object> stamp = new LinkedHashMap<>();
        stamp.put("name", processor.name());
        stamp.put("version", processor.version());
        stamp.put("input", input);
        List<NewDatum> prepared = new ArrayList<>(outputs.size());
        for (int i = 0; i < outputs.size(); i++) {
            NewDatum out = outputs.get(i);
            if (out == null) {
                throw new InvalidArgumentException(who + ": output #" + i + " is null");
            }
            if (out.metadata().containsKey(Processor.OUTPUT_METADATA_KEY)) {
                throw new InvalidArgumentException(who + ": output #" + i + " has metadata."
                        + Processor.OUTPUT_METADATA_KEY + " = " + out.metadata().get(Processor.OUTPUT_METADATA_KEY)
                        + "; that key is reserved for the processor's own record of the output's origin");
            }
            ObjectId id = out.id();
            if (i == 0 && id != null && !id.equals(anchor)) {
                throw new InvalidArgumentException(who + ": output #0 chose id " + id.toHexString()
                        + "; output #0 gets the id reserved for the input, which is what refuses a second result");
            }
            Map<String, @Nullable Object> metadata = new LinkedHashMap<>(out.metadata());
            metadata.put(Processor.OUTPUT_METADATA_KEY, stamp);
            prepared.add(NewDatum.builder()
                    .id(i == 0 ? anchor : id)
                    .data(out.data())
                    .metadata(metadata)
                    .registryUri(out.registryUri())
                    .derivedFrom(out.derivedFrom())
                    .contentType(out.contentType())
                    .build());
        }
        return prepared;
    }
}
