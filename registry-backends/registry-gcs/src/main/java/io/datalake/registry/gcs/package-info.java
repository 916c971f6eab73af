/**
 * The Google Cloud Storage registry ({@code gs://bucket/prefix}), coded against the
 * {@link com.google.cloud.storage.Storage} interface: the provider builds a client from Application Default
 * Credentials, and {@link io.datalake.registry.gcs.GcsRegistryBackend#create} takes any {@code Storage} (a
 * configured client, or an in-memory one in tests).
 */
@NullMarked
package io.datalake.registry.gcs;

import org.jspecify.annotations.NullMarked;
