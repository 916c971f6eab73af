/**
 * The engine's checks of a query's MongoDB filters before anything is sent: the operator allow-list, no server-side
 * JavaScript, and regular expressions that are certainly invalid or may backtrack catastrophically.
 * <strong>Internal:</strong> not part of the public API, may change in any release without notice; callers use
 * {@link io.datalake.query.engine.QueryEngine#validate}.
 */
@NullMarked
package io.datalake.query.engine.internal.validation;

import org.jspecify.annotations.NullMarked;
