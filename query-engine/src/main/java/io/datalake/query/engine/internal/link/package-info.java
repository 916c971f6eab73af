/**
 * The link layer every {@code derived_from} walk reads through: the projected link codec, the ranged children
 * lookup and the choice between batched lookups and one projected scan. <strong>Internal:</strong> not part
 * of the public API, may change in any release without notice.
 */
@NullMarked
package io.datalake.query.engine.internal.link;

import org.jspecify.annotations.NullMarked;
