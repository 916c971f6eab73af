package io.datalake.io;

/**
 * The result of a finished import.
 *
 * @param format {@code coco} or {@code voc}
 * @param files the annotation files read
 * @param imagesAdded image datums added
 * @param imagesSkipped images already in the lake from an earlier run of the same import (nothing added)
 * @param annotationsAdded annotation datums added
 * @param annotationsSkipped annotations already in the lake from an earlier run (nothing added)
 */
public record ImportReport(String format, long files, long imagesAdded, long imagesSkipped, long annotationsAdded,
        long annotationsSkipped) {
}
