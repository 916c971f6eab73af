/**
 * The change feed of the MongoDB lake ({@link io.datalake.Datalake#watchEvents}): {@link MongoFeed} validates the
 * options and picks the source, {@link TailFeed} polls {@code _id} ranges with a re-read window and de-duplication
 * (any server), {@link ChangeStreamFeed} follows a change stream where the server offers one, and {@link TailState}
 * is the tail's position and its token encoding.
 */
@NullMarked
package io.datalake.mongo.internal.feed;

import org.jspecify.annotations.NullMarked;
