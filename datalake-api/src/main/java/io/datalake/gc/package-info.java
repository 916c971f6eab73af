/**
 * Payload garbage collection: {@link io.datalake.Datalake#gc(GcOptions)} deletes registry objects that no datum
 * references and that are older than a grace period, and returns a {@link GcReport}. Only objects under the lake's
 * own content-addressed key format ({@code ab/cd/<sha256>}) are ever deleted. Every value type here is immutable.
 */
@NullMarked
package io.datalake.gc;

import org.jspecify.annotations.NullMarked;
