/**
 * The local file system registry: {@code file:///abs/path} or a plain absolute path. Writes are atomic (a temporary
 * file in the target's directory, fsynced, then renamed over the target), so a reader never sees a partial payload.
 */
@NullMarked
package io.datalake.registry.file;

import org.jspecify.annotations.NullMarked;
