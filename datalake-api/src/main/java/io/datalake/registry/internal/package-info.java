/**
 * Internal: the registry machinery behind the lake (handle resolution and caching, content addressing). Not part
 * of the public API; it may change in any release. Backend implementers use the SPI in {@link io.datalake.registry}.
 */
@NullMarked
package io.datalake.registry.internal;

import org.jspecify.annotations.NullMarked;
