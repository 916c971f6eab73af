/**
 * The MongoDB implementation of {@link io.datalake.Datalake}: create a lake with
 * {@link io.datalake.mongo.Datalakes#create(io.datalake.DatalakeSettings)}, or an in-process embedded one with
 * {@link io.datalake.mongo.Datalakes#embedded()}.
 */
@NullMarked
package io.datalake.mongo;

import org.jspecify.annotations.NullMarked;
