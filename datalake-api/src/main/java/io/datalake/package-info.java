/**
 * The public API of datalake: the {@link io.datalake.Datalake} store of immutable {@link io.datalake.Datum}s,
 * its settings and its exceptions. Nothing in this package does I/O; implementations live in other modules and
 * are created through their factories (for MongoDB, {@code io.datalake.mongo.Datalakes}).
 *
 * <p>Every type is non-null by default; nullable values are marked {@code @Nullable}.
 */
@NullMarked
package io.datalake;

import org.jspecify.annotations.NullMarked;
