/**
 * Deleting datums: {@link io.datalake.Datalake#delete} removes a datum, or with
 * {@link io.datalake.delete.DeleteOptions#cascade()} its whole derivation subtree, deepest level first, refusing a
 * datum with children (without cascade) and any datum a published dataset version retains. A dry run returns the
 * same {@link io.datalake.delete.DeletePlan} and writes nothing. Payloads are never deleted here: the plan lists
 * those no remaining datum references, for payload garbage collection to remove after its grace period. Every
 * value type here is immutable; every failure is a {@link io.datalake.DatalakeException} subtype naming the
 * offending value.
 */
@NullMarked
package io.datalake.delete;

import org.jspecify.annotations.NullMarked;
