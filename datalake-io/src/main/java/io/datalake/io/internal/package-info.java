/**
 * Implementation of the exports of {@link io.datalake.io}: not API, may change in any release.
 */
@NullMarked
package io.datalake.io.internal;

import org.jspecify.annotations.NullMarked;
