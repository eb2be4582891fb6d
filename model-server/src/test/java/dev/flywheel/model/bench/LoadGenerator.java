package dev.flywheel.model.bench;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A closed-loop HTTP/1.1 load generator for 127.0.0.1 only: each connection sends the same POST with keep-alive and
 * waits for the answer before the next, for a fixed time. One thread drives every connection through a selector, so
 * the generator takes as little as it can of the cores it shares with the server. Bounded in time and connections.
 */
final class LoadGenerator {
  record Result(int connections, long requests, long failures, double seconds, double p50Millis, double p99Millis) {
    double requestsPerSecond() {
      return requests / seconds;
    }
  }

  /** One connection's state: the request being written, the answer being read. */
  private static final class Connection {
    final SocketChannel channel;
    final ByteBuffer out;
    final ByteBuffer in = ByteBuffer.allocate(64 * 1024);
    long sentAt;

    Connection(SocketChannel channel, byte[] request) {
      this.channel = channel;
      this.out = ByteBuffer.wrap(request);
    }
  }

  private LoadGenerator() {}

  static Result run(int port, String path, byte[] body, int connections, double seconds) throws IOException {
    if (connections < 1 || connections > 1024 || seconds <= 0 || seconds > 60) {
      throw new IllegalArgumentException("load is bounded: 1-1024 connections, at most 60 s");
    }
    byte[] head = ("POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: "
        + body.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
    byte[] request = Arrays.copyOf(head, head.length + body.length);
    System.arraycopy(body, 0, request, head.length, body.length);

    long[] latencies = new long[1 << 20];
    int count = 0;
    long failures = 0;
    try (Selector selector = Selector.open()) {
      long started = System.nanoTime();
      long deadline = started + (long) (seconds * 1e9);
      for (int c = 0; c < connections; c++) {
        SocketChannel channel = SocketChannel.open(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
        channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
        channel.configureBlocking(false);
        Connection connection = new Connection(channel, request);
        channel.register(selector, SelectionKey.OP_WRITE, connection);
        connection.sentAt = System.nanoTime();
      }
      int open = connections;
      while (open > 0) {
        selector.select(100);
        for (SelectionKey key : selector.selectedKeys()) {
          Connection connection = (Connection) key.attachment();
          try {
            if (key.isWritable()) {
              connection.channel.write(connection.out);
              if (!connection.out.hasRemaining()) {
                key.interestOps(SelectionKey.OP_READ);
              }
            } else if (key.isReadable()) {
              if (connection.channel.read(connection.in) < 0) {
                throw new IOException("connection closed");
              }
              int status = complete(connection.in);
              if (status == 0) {
                continue; // the answer is not whole yet
              }
              long now = System.nanoTime();
              if (status != 200) {
                failures++;
              }
              if (count == latencies.length) {
                latencies = Arrays.copyOf(latencies, count * 2);
              }
              latencies[count++] = now - connection.sentAt;
              connection.in.clear();
              if (now < deadline) {
                connection.out.rewind();
                connection.sentAt = now;
                connection.channel.write(connection.out);
                key.interestOps(connection.out.hasRemaining() ? SelectionKey.OP_WRITE : SelectionKey.OP_READ);
              } else {
                key.cancel();
                connection.channel.close();
                open--;
              }
            }
          } catch (IOException e) {
            failures++;
            key.cancel();
            connection.channel.close();
            open--;
          }
        }
        selector.selectedKeys().clear();
      }
      double elapsed = (System.nanoTime() - started) / 1e9;
      long[] all = Arrays.copyOf(latencies, count);
      Arrays.sort(all);
      double p50 = all.length == 0 ? Double.NaN : all[(int) (all.length * 0.50)] / 1e6;
      double p99 = all.length == 0 ? Double.NaN : all[Math.min(all.length - 1, (int) (all.length * 0.99))] / 1e6;
      return new Result(connections, count, failures, elapsed, p50, p99);
    }
  }

  /**
   * The status of the one answer in the buffer if it has arrived whole (headers and Content-Length body), else 0.
   * The server answers one request at a time per connection, so the buffer never holds more than one answer.
   */
  private static int complete(ByteBuffer in) throws IOException {
    byte[] bytes = in.array();
    int end = in.position();
    int headersEnd = -1;
    for (int i = 3; i < end; i++) {
      if (bytes[i] == '\n' && bytes[i - 1] == '\r' && bytes[i - 2] == '\n' && bytes[i - 3] == '\r') {
        headersEnd = i + 1;
        break;
      }
    }
    if (headersEnd < 0) {
      if (end == bytes.length) {
        throw new IOException("answer headers larger than the buffer");
      }
      return 0;
    }
    String headers = new String(bytes, 0, headersEnd, StandardCharsets.US_ASCII);
    int at = headers.toLowerCase(java.util.Locale.ROOT).indexOf("\r\ncontent-length:");
    if (at < 0) {
      throw new IOException("answer without Content-Length");
    }
    int lineEnd = headers.indexOf("\r\n", at + 2);
    int length = Integer.parseInt(headers.substring(at + 17, lineEnd).trim());
    if (end < headersEnd + length) {
      if (headersEnd + length > bytes.length) {
        throw new IOException("answer larger than the buffer");
      }
      return 0;
    }
    return Integer.parseInt(headers.substring(9, 12));
  }
}
