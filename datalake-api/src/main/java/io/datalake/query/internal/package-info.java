/**
 * Parsing and validation of queries. <strong>Internal:</strong> not part of the public API, may change in any
 * release without notice.
 */
@NullMarked
package io.datalake.query.internal;

import org.jspecify.annotations.NullMarked;
