/**
 * Implementation of the MongoDB store. <strong>Internal:</strong> not part of the public API, may change in any
 * release without notice.
 */
@NullMarked
package io.datalake.mongo.internal;

import org.jspecify.annotations.NullMarked;
