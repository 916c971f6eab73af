/**
 * Multi-level {@code derived_from} queries over a lake: the {@link io.datalake.query.Query} language (JSON text in
 * the syntax of the Mindtrace Python datalake, lists of maps, or a fluent builder), its
 * {@link io.datalake.query.QueryOptions}, results and {@link io.datalake.query.QueryPlan}s. Nothing in this package
 * does I/O: a query is parsed and validated when it is built, and run by a {@link io.datalake.Datalake}.
 */
@NullMarked
package io.datalake.query;

import org.jspecify.annotations.NullMarked;
