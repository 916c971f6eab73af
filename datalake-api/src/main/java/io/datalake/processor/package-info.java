/**
 * Derivation processors: declare a {@link Processor} (a name and version, an {@link ProcessorInput} and a function
 * from a {@link ProcessorRow} to the new datums derived from it) and run it with {@link Processors}, as a backfill
 * over every current input or continuously (backfill, then follow the change feed). Each input gets exactly one
 * result per processor version, across retries, crashes and several worker processes: work is shared through
 * expiring leases stored in MongoDB, and output number 0 of every attempt carries the same reserved id, so a second
 * result for the same input is refused by the datum collection's unique {@code _id} index. Inputs whose function
 * keeps failing become {@link DeadLetter}s. Every value type here is immutable.
 */
@NullMarked
package io.datalake.processor;

import org.jspecify.annotations.NullMarked;
