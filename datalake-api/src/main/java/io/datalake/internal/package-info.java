/**
 * Implementation details of the API module. <strong>Internal:</strong> not part of the public API, may change in
 * any release without notice.
 */
@NullMarked
package io.datalake.internal;

import org.jspecify.annotations.NullMarked;
