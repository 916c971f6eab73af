/**
 * The {@code derived_from} walks behind children, descendants, ancestors, lineage subgraphs and lake statistics. <strong>Internal:</strong> not part
 * of the public API, may change in any release without notice.
 */
@NullMarked
package io.datalake.query.engine.internal.traversal;

import org.jspecify.annotations.NullMarked;
