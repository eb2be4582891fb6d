package dev.flywheel.sandbox.node;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Logger;

/**
 * A local port of a Service: each accepted connection goes to the next ready endpoint in turn (round robin), bytes copied
 * both ways until either side closes; with no ready endpoint the connection is closed at once (as kube-proxy rejects it).
 */
final class TcpProxy implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(TcpProxy.class.getName());

  private final ServerSocket server;
  private final ExecutorService threads = Executors.newCachedThreadPool(runnable -> {
    Thread thread = new Thread(runnable, "service-proxy");
    thread.setDaemon(true);
    return thread;
  });
  private final AtomicInteger next = new AtomicInteger();
  private volatile List<Integer> endpoints = List.of();

  TcpProxy(String name) throws IOException {
    server = new ServerSocket(0, 200, InetAddress.getLoopbackAddress());
    Thread acceptor = new Thread(this::accept, "service-proxy-" + name);
    acceptor.setDaemon(true);
    acceptor.start();
  }

  int port() {
    return server.getLocalPort();
  }

  /** The local ports of the ready endpoints, in a stable order. */
  void endpoints(List<Integer> ports) {
    endpoints = List.copyOf(ports);
  }

  List<Integer> endpoints() {
    return endpoints;
  }

  private void accept() {
    while (!server.isClosed()) {
      try {
        Socket client = server.accept();
        threads.execute(() -> forward(client));
      } catch (IOException closed) {
        return;
      }
    }
  }

  private void forward(Socket client) {
    List<Integer> ports = endpoints;
    if (ports.isEmpty()) {
      closeQuietly(client);
      return;
    }
    int port = ports.get(Math.floorMod(next.getAndIncrement(), ports.size()));
    try {
      Socket upstream = new Socket();
      upstream.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 2000);
      client.setTcpNoDelay(true);
      upstream.setTcpNoDelay(true);
      AtomicInteger open = new AtomicInteger(2);
      threads.execute(() -> copy(upstream, client, open));
      copy(client, upstream, open);
    } catch (IOException refused) {
      LOG.fine("endpoint 127.0.0.1:" + port + " refused: " + refused.getMessage());
      closeQuietly(client);
    }
  }

  /** Copies one direction; at its end half-closes the other side, and the second direction to end closes both. */
  private static void copy(Socket from, Socket to, AtomicInteger open) {
    byte[] buffer = new byte[16384];
    try {
      InputStream in = from.getInputStream();
      OutputStream out = to.getOutputStream();
      int read;
      while ((read = in.read(buffer)) >= 0) {
        out.write(buffer, 0, read);
        out.flush();
      }
      to.shutdownOutput();
    } catch (IOException closed) {
      closeQuietly(from);
      closeQuietly(to);
    } finally {
      if (open.decrementAndGet() == 0) {
        closeQuietly(from);
        closeQuietly(to);
      }
    }
  }

  private static void closeQuietly(Socket socket) {
    try {
      socket.close();
    } catch (IOException ignored) {
      // closing anyway
    }
  }

  @Override
  public void close() {
    try {
      server.close();
    } catch (IOException ignored) {
      // closing anyway
    }
    threads.shutdownNow();
  }
}
