/**
 * The conformance test kit every {@link io.datalake.registry.RegistryBackend} must pass: extend
 * {@link io.datalake.registry.conformance.RegistryBackendConformance} in a backend's tests and supply a fresh,
 * empty handle per test.
 */
@NullMarked
package io.datalake.registry.conformance;

import org.jspecify.annotations.NullMarked;
