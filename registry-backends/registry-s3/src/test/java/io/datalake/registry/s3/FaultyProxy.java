package io.datalake.registry.s3;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A TCP proxy on 127.0.0.1 in front of the S3 test server that breaks uploads: once a connection has carried more
 * than {@code threshold} bytes from the client, it either cuts the connection or answers {@code 500} and closes,
 * as long as faults remain. Small requests (HEAD, GET, list) pass untouched.
 */
final class FaultyProxy implements AutoCloseable {
    enum Fault { DROP, HTTP_500 }

    private final ServerSocket server;
    private final InetSocketAddress upstream;
    private final long threshold;
    private final Fault fault;
    private final AtomicInteger faultsLeft;
    private final AtomicInteger faultsInjected = new AtomicInteger();
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();

    FaultyProxy(String upstreamEndpoint, long threshold, Fault fault, int faults) throws IOException {
        java.net.URI uri = java.net.URI.create(upstreamEndpoint);
        this.upstream = new InetSocketAddress(uri.getHost(), uri.getPort());
        this.threshold = threshold;
        this.fault = fault;
        this.faultsLeft = new AtomicInteger(faults);
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread acceptor = new Thread(this::acceptLoop, "faulty-proxy-accept");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    String endpoint() {
        return "http://127.0.0.1:" + server.getLocalPort();
    }

    int faultsInjected() {
        return faultsInjected.get();
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket client = server.accept();
                Socket target = new Socket(upstream.getAddress(), upstream.getPort());
                sockets.add(client);
                sockets.add(target);
                start(() -> pumpUpload(client, target));
                start(() -> pump(target, client));
            } catch (IOException e) {
                return;
            }
        }
    }

    private static void start(Runnable pump) {
        Thread t = new Thread(pump, "faulty-proxy-pump");
        t.setDaemon(true);
        t.start();
    }

    private void pumpUpload(Socket client, Socket target) {
        byte[] buffer = new byte[16 * 1024];
        long forwarded = 0;
        try (InputStream in = client.getInputStream(); OutputStream out = target.getOutputStream()) {
            for (int n; (n = in.read(buffer)) >= 0; ) {
                out.write(buffer, 0, n);
                forwarded += n;
                if (forwarded > threshold && faultsLeft.getAndDecrement() > 0) {
                    faultsInjected.incrementAndGet();
                    if (fault == Fault.HTTP_500) {
                        client.getOutputStream().write(("HTTP/1.1 500 Internal Server Error\r\n"
                                + "Content-Length: 0\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                        client.getOutputStream().flush();
                    }
                    closeQuietly(client);
                    closeQuietly(target);
                    return;
                }
            }
        } catch (IOException e) {
            // the other side went away
        } finally {
            closeQuietly(target);
        }
    }

    private static void pump(Socket from, Socket to) {
        byte[] buffer = new byte[16 * 1024];
        try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
            for (int n; (n = in.read(buffer)) >= 0; ) {
                out.write(buffer, 0, n);
            }
        } catch (IOException e) {
            // the other side went away
        } finally {
            closeQuietly(to);
        }
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException e) {
            // already closed
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
        sockets.forEach(FaultyProxy::closeQuietly);
    }
}
