/**
 * The {@code datalake} command line: {@link io.datalake.cli.DatalakeCli} runs it from {@code main} or in-process.
 * Built on the public API of datalake only.
 */
@NullMarked
package io.datalake.cli;

import org.jspecify.annotations.NullMarked;
