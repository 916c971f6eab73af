/**
 * JSON-like values as the lake stores them: {@link io.datalake.json.JsonValues} parses MongoDB Extended JSON text
 * into them, checks that a value can be stored unchanged and compares values deeply. The command line and the
 * store use these same rules, so every entry point accepts and refuses the same values.
 */
@NullMarked
package io.datalake.json;

import org.jspecify.annotations.NullMarked;
