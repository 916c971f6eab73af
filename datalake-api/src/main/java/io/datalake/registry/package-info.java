/**
 * Payload registries: where large datum payloads live outside MongoDB.
 *
 * <p>A {@link io.datalake.registry.RegistryBackend} is a handle on one registry (a directory, an S3 bucket and
 * prefix, a GCS bucket and prefix) that stores opaque byte objects under validated keys. Backends are found through
 * {@link java.util.ServiceLoader} by URI scheme: each backend artifact ships a
 * {@link io.datalake.registry.RegistryBackendProvider}, and a user adds another scheme the same way.
 * {@link io.datalake.registry.BlobSource} carries the bytes to store (and, for content-addressed storage, the hash
 * they must have: a stream that no longer matches fails with {@link io.datalake.registry.BlobChangedException}),
 * {@link io.datalake.registry.BlobStat} is what a backend's metadata lookup reports,
 * {@link io.datalake.registry.RegistryKeys} validates keys and {@link io.datalake.registry.RegistryUris} reads query
 * parameters and hides secrets.
 *
 * <p>Two supported classes sit on top of that SPI, the ones the lake itself uses:
 * {@link io.datalake.registry.Registries} discovers providers and resolves registry URIs to shared, cached
 * handles under an allow-list, and {@link io.datalake.registry.ContentAddressedRegistry} stores payloads under the
 * SHA-256 of their bytes (verified on every read), reporting each as a {@link io.datalake.registry.StoredBlob}.
 * Backend authors and their conformance tests (the {@code registry-conformance} kit) need nothing outside this
 * package.
 */
@NullMarked
package io.datalake.registry;

import org.jspecify.annotations.NullMarked;
