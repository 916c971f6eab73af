/**
 * Parsing of queries and checks of their structure; what the filters ask of MongoDB is checked by the query engine.
 * <strong>Internal:</strong> not part of the public API, may change in any release without notice.
 */
@NullMarked
package io.datalake.query.internal;

import org.jspecify.annotations.NullMarked;
