package io.datalake.fsck;

/**
 * How far a running {@code fsck} has got; handed to {@link FsckOptions#progress()} after each page of datums and each
 * batch of dataset rows. Counts only grow.
 *
 * @param datums stored documents of the datum collection read so far (readable or not)
 * @param payloads registry references checked (datums with a registry payload)
 * @param objects registry objects looked up or read (an object shared by many datums is usually checked once)
 * @param versions dataset versions (drafts and published) whose rows were checked
 * @param rows dataset rows checked
 * @param bytesVerified payload bytes read and hashed ({@link FsckOptions#verify()})
 * @param findings problems found so far
 */
public record FsckProgress(long datums, long payloads, long objects, long versions, long rows, long bytesVerified,
        long findings) {
}
