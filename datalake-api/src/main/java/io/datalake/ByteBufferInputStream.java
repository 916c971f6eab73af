package io.datalake;

import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.Iterator;
import java.util.stream.Stream;
import reactor.core.publisher.Flux;

/**
 * A blocking {@link InputStream} over a stream of buffers. At most a few buffers are requested ahead, so a payload
 * of any size passes through in bounded memory; closing cancels the upstream. Errors of the upstream are thrown
 * from {@code read} as they are (unchecked datalake exceptions). Package-private: the blocking view uses it.
 */
final class ByteBufferInputStream extends InputStream {
    private static final int PREFETCH = 4;

    private final Stream<ByteBuffer> buffers;
    private final Iterator<ByteBuffer> iterator;
    private ByteBuffer current = ByteBuffer.allocate(0);

    /**
     * Wraps a flux; nothing is requested before the first read.
     *
     * @param source the buffers
     */
    ByteBufferInputStream(Flux<ByteBuffer> source) {
        this.buffers = source.toStream(PREFETCH);
        this.iterator = buffers.iterator();
    }

    @Override
    public int read() {
        return fill() ? current.get() & 0xff : -1;
    }

    @Override
    public int read(byte[] b, int off, int len) {
        java.util.Objects.checkFromIndexSize(off, len, b.length);
        if (len == 0) {
            return 0;
        }
        if (!fill()) {
            return -1;
        }
        int n = Math.min(len, current.remaining());
        current.get(b, off, n);
        return n;
    }

    @Override
    public int available() {
        return current.remaining();
    }

    private boolean fill() {
        while (!current.hasRemaining()) {
            if (!iterator.hasNext()) {
                return false;
            }
            current = iterator.next();
        }
        return true;
    }

    @Override
    public void close() {
        buffers.close();
    }
}
