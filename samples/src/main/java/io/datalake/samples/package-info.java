/** Small runnable programs that show how to use datalake; each is explained in {@code samples/README.md}. */
@NullMarked
package io.datalake.samples;

import org.jspecify.annotations.NullMarked;
