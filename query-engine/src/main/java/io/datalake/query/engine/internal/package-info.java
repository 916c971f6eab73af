/**
 * Planning and execution of queries. <strong>Internal:</strong> not part of the public API, may change in any
 * release without notice.
 */
@NullMarked
package io.datalake.query.engine.internal;

import org.jspecify.annotations.NullMarked;
