/**
 * The lake's consistency check ({@link io.datalake.Datalake#fsck(io.datalake.fsck.FsckOptions)}): every registry
 * datum's object exists with its recorded size (and, with {@link io.datalake.fsck.FsckOptions#verify()}, hash),
 * every parent exists, every stored document is a readable datum that satisfies the schema of its kind, and every
 * row of a draft or published dataset version names an existing datum. Read-only; streaming with bounded memory.
 * Every value type here is immutable.
 */
@NullMarked
package io.datalake.fsck;

import org.jspecify.annotations.NullMarked;
