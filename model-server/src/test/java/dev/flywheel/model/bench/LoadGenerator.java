package dev.flywheel.model.bench;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A closed-loop HTTP/1.1 load generator for 127.0.0.1 only: each connection sends the same POST with keep-alive
 * and waits for the answer before the next, for a fixed time. Bounded in time and connections; never another host.
 */
final class LoadGenerator {
  record Result(int connections, long requests, long failures, double seconds, double p50Millis, double p99Millis) {
    double requestsPerSecond() {
      return requests / seconds;
    }
  }

  private LoadGenerator() {}

  static Result run(int port, String path, byte[] body, int connections, double seconds) throws Exception {
    if (connections < 1 || connections > 256 || seconds <= 0 || seconds > 60) {
      throw new IllegalArgumentException("load is bounded: 1-256 connections, at most 60 s");
    }
    byte[] head = ("POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: "
        + body.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
    byte[] request = Arrays.copyOf(head, head.length + body.length);
    System.arraycopy(body, 0, request, head.length, body.length);
    long deadline = System.nanoTime() + (long) (seconds * 1e9);
    List<Thread> threads = new ArrayList<>();
    long[][] latencies = new long[connections][];
    int[] counts = new int[connections];
    long[] failures = new long[connections];
    long started = System.nanoTime();
    for (int c = 0; c < connections; c++) {
      int id = c;
      Thread t = new Thread(() -> {
        long[] mine = new long[1 << 16];
        int n = 0;
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
          socket.setTcpNoDelay(true);
          OutputStream out = socket.getOutputStream();
          InputStream in = new BufferedInputStream(socket.getInputStream(), 16_384);
          while (System.nanoTime() < deadline) {
            long t0 = System.nanoTime();
            out.write(request);
            out.flush();
            int status = readResponse(in);
            if (status != 200) {
              failures[id]++;
            }
            if (n == mine.length) {
              mine = Arrays.copyOf(mine, n * 2);
            }
            mine[n++] = System.nanoTime() - t0;
          }
        } catch (IOException e) {
          failures[id]++;
        }
        latencies[id] = Arrays.copyOf(mine, n);
        counts[id] = n;
      }, "load-" + c);
      t.start();
      threads.add(t);
    }
    for (Thread t : threads) {
      t.join();
    }
    double elapsed = (System.nanoTime() - started) / 1e9;
    long total = Arrays.stream(counts).sum();
    long[] all = new long[(int) total];
    int at = 0;
    for (long[] l : latencies) {
      System.arraycopy(l, 0, all, at, l.length);
      at += l.length;
    }
    Arrays.sort(all);
    double p50 = all.length == 0 ? Double.NaN : all[(int) (all.length * 0.50)] / 1e6;
    double p99 = all.length == 0 ? Double.NaN : all[Math.min(all.length - 1, (int) (all.length * 0.99))] / 1e6;
    return new Result(connections, total, Arrays.stream(failures).sum(), elapsed, p50, p99);
  }

  /** Reads one response (status line, headers, Content-Length body) and returns its status. */
  private static int readResponse(InputStream in) throws IOException {
    StringBuilder line = new StringBuilder();
    int status = -1;
    int length = 0;
    while (true) {
      line.setLength(0);
      int ch;
      while ((ch = in.read()) != '\n') {
        if (ch == -1) {
          throw new IOException("connection closed");
        }
        if (ch != '\r') {
          line.append((char) ch);
        }
      }
      if (line.length() == 0) {
        break;
      }
      String text = line.toString();
      if (status < 0) {
        status = Integer.parseInt(text.substring(9, 12));
      } else if (text.regionMatches(true, 0, "content-length:", 0, 15)) {
        length = Integer.parseInt(text.substring(15).trim());
      }
    }
    long skipped = 0;
    while (skipped < length) {
      long n = in.skip(length - skipped);
      if (n <= 0) {
        if (in.read() == -1) {
          throw new IOException("connection closed");
        }
        n = 1;
      }
      skipped += n;
    }
    return status;
  }
}
