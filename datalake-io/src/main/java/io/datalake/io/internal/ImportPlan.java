package io.datalake.io.internal;

import java.util.List;

/**
 * A fully checked import, made before anything is written.
 *
 * @param format {@code coco} or {@code voc}
 * @param files the annotation files read
 * @param items the images in import order
 * @param cleanup releases what the plan holds on disk (a COCO import's spill file); run once the import ends
 */
record ImportPlan(String format, long files, List<ImportItem> items, Runnable cleanup) {
}
