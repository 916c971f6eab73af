package io.datalake.io.internal;

import java.util.List;

/**
 * A fully checked import, made before anything is written.
 *
 * @param format {@code coco} or {@code voc}
 * @param files the annotation files read
 * @param items the images in import order
 */
record ImportPlan(String format, long files, List<ImportItem> items) {
}
