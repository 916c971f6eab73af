/**
 * Datasets: named, immutable, versioned tables of datum ids with a write-audit-publish lifecycle, reached through
 * {@link io.datalake.Datalake#datasets()}. A version is created as a draft ({@link io.datalake.dataset.Datasets#createDraft}),
 * checked ({@link io.datalake.dataset.Datasets#audit}) and only then published
 * ({@link io.datalake.dataset.Datasets#publish}); a published version never changes. Every value type here is
 * immutable; every failure is a {@link io.datalake.DatalakeException} subtype naming the offending value.
 */
@NullMarked
package io.datalake.dataset;

import org.jspecify.annotations.NullMarked;
