/**
 * Schemas per kind: JSON Schemas (draft 2020-12) registered for a kind of datum, versioned and immutable, reached
 * through {@link io.datalake.Datalake#schemas()}. A datum's kind is read by the {@linkplain SchemaSettings#kindSelector()
 * kind selector} ({@code data.type} by default); the latest schema of that kind constrains the datum's document view
 * {@code {"data": ..., "metadata": {...}}} when it is added ({@link ValidationMode}), and
 * {@link io.datalake.schema.Schemas#check(String)} finds existing datums that violate it. Every value type here is
 * immutable; every failure is a {@link io.datalake.DatalakeException} subtype naming the offending value.
 */
@NullMarked
package io.datalake.schema;

import org.jspecify.annotations.NullMarked;
