/**
 * The Amazon S3 registry ({@code s3://bucket/prefix}) over the AWS SDK v2 asynchronous client; works with
 * S3-compatible stores (MinIO, Ceph, s3proxy, ...) through an endpoint override and path-style access.
 */
@NullMarked
package io.datalake.registry.s3;

import org.jspecify.annotations.NullMarked;
