package io.datalake.io;

/**
 * The result of a finished import.
 *
 * <p>Imports are idempotent: every datum an import writes carries {@code metadata.import_key}, a SHA-256 over
 * canonical JSON of what it is (an image: the format, the SHA-256 of its bytes and its metadata, which holds the
 * annotation file, the image's entry and the user's metadata; an annotation: its image's key, its data and its
 * metadata, which holds the annotation's id or object index). Before each batch is written, the keys of its datums
 * are looked up with one query; a datum already stored under its key (an image with the same payload hash and no
 * parent, an annotation derived from that image) is skipped and counted here, and only the others are added. So
 * running the same import again, or again after it was interrupted at any point, adds exactly what is missing.
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
