/**
 * The commands of the {@code datalake} command line and their output formats. <strong>Internal:</strong> not part
 * of the public API, may change in any release without notice.
 */
@NullMarked
package io.datalake.cli.internal;

import org.jspecify.annotations.NullMarked;
