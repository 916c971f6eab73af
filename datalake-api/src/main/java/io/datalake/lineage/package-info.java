/**
 * Lineage of datums: the chain of {@code derivedFrom} parents above a datum and the tree of datums derived from
 * it, as returned by {@link io.datalake.Datalake#getLineage}. Every type here is an immutable value.
 */
@NullMarked
package io.datalake.lineage;

import org.jspecify.annotations.NullMarked;
