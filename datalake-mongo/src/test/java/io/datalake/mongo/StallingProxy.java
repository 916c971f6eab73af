package io.datalake.mongo;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Test fixture: a TCP proxy in front of a MongoDB server that can stop passing the server's answers on, so a client
 * sees a server that accepts its requests and never answers. Without a target it is a server that accepts
 * connections and never says anything.
 */
final class StallingProxy implements AutoCloseable {
    private final ServerSocket listener;
    private final String targetHost;
    private final int targetPort;
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private volatile boolean stalled;

    private StallingProxy(String targetHost, int targetPort) throws IOException {
        this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        this.targetHost = targetHost;
        this.targetPort = targetPort;
        Thread acceptor = new Thread(this::accept, "stalling-proxy-accept");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /** A proxy to {@code mongodb://host:port}, passing everything on until {@link #stall()}. */
    static StallingProxy to(String connectionString) throws IOException {
        String hostPort = connectionString.substring("mongodb://".length());
        int colon = hostPort.lastIndexOf(':');
        return new StallingProxy(hostPort.substring(0, colon), Integer.parseInt(hostPort.substring(colon + 1)));
    }

    /** A server that accepts connections and never answers. */
    static StallingProxy silent() throws IOException {
        StallingProxy proxy = new StallingProxy("", -1);
        proxy.stall();
        return proxy;
    }

    String connectionString() {
        return "mongodb://127.0.0.1:" + listener.getLocalPort();
    }

    /** From now on, answers of the server are held back. */
    void stall() {
        stalled = true;
    }

    /** From now on, answers of the server are passed on again. */
    void resume() {
        stalled = false;
    }

    private void accept() {
        try {
            while (true) {
                Socket client = listener.accept();
                sockets.add(client);
                if (targetPort < 0) {
                    continue; // silent: keep the connection open and never answer
                }
                Socket server = new Socket(targetHost, targetPort);
                sockets.add(server);
                pump(client.getInputStream(), server.getOutputStream(), false);
                pump(server.getInputStream(), client.getOutputStream(), true);
            }
        } catch (IOException closed) {
            // the proxy was closed
        }
    }

    private void pump(InputStream in, OutputStream out, boolean answers) {
        Thread pump = new Thread(() -> {
            byte[] buffer = new byte[8192];
            try {
                int n;
                while ((n = in.read(buffer)) >= 0) {
                    while (answers && stalled) {
                        Thread.sleep(10);
                    }
                    out.write(buffer, 0, n);
                    out.flush();
                }
            } catch (IOException | InterruptedException e) {
                // a side closed the connection
            }
        }, "stalling-proxy-pump");
        pump.setDaemon(true);
        pump.start();
    }

    @Override
    public void close() throws IOException {
        listener.close();
        for (Socket socket : sockets) {
            socket.close();
        }
    }
}
