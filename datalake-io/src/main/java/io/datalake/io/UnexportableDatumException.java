package io.datalake.io;

import io.datalake.DatumValidationException;
import org.bson.types.ObjectId;

/**
 * Thrown (signalled by the export's Mono) when a datum cannot be written in the requested format: a COCO image
 * without image bytes or whose size cannot be known, an annotation datum whose {@code type} is {@code bbox} or
 * {@code classification} but whose fields are malformed. The export then leaves no output folder.
 */
public class UnexportableDatumException extends DatumValidationException {
    private static final long serialVersionUID = 1L;

    private final ObjectId datumId;
    private final String field;

    /**
     * Creates the exception.
     *
     * @param datumId the offending datum
     * @param field the offending field, a dotted path such as {@code data.bbox} or {@code metadata.image_info}
     * @param message what is wrong, naming the datum, the field and the value
     */
    public UnexportableDatumException(ObjectId datumId, String field, String message) {
        super(message);
        this.datumId = datumId;
        this.field = field;
    }

    /**
     * Returns the offending datum's id.
     *
     * @return the id
     */
    public ObjectId datumId() {
        return datumId;
    }

    /**
     * Returns the offending field.
     *
     * @return a dotted path such as {@code data.bbox}
     */
    public String field() {
        return field;
    }
}
