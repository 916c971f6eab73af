/**
 * Schemas per kind on MongoDB: the {@code <collection>.schemas} collection, the compiled-schema cache the write path
 * validates through, and the check of stored datums. Depends on no other internal package of this module (the
 * write path calls in; the stored-document decoding it needs is handed in as functions).
 */
@NullMarked
package io.datalake.mongo.internal.schema;

import org.jspecify.annotations.NullMarked;
