package dev.flywheel.model.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flywheel.model.serve.http.RawHttp;
import dev.flywheel.model.testdata.SyntheticData;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SIGTERM to the real launcher process (bin/flywheel-model serve, which execs the JVM) under keep-alive load on
 * 127.0.0.1: readiness turns 503 at once, the port keeps serving through the drain grace, every request sent is
 * answered 200, and the process exits 0.
 */
class ServeDrainIT {
  private static final int CLIENTS = 32;
  private static final Duration GRACE = Duration.ofSeconds(2);
  private static final String INFER = "{\"inputs\": [{\"name\": \"tenure_months\", \"shape\": [1], \"datatype\": \"FP32\", \"data\": [5]},"
      + "{\"name\": \"monthly_charges\", \"shape\": [1], \"datatype\": \"FP32\", \"data\": [80]},"
      + "{\"name\": \"support_calls\", \"shape\": [1], \"datatype\": \"INT64\", \"data\": [4]},"
      + "{\"name\": \"contract\", \"shape\": [1], \"datatype\": \"BYTES\", \"data\": [\"month-to-month\"]}]}";

  @TempDir static Path tmp;

  /** What the clients saw: answers by kind, and requests sent that got no answer at all. */
  private static final class Tally {
    final AtomicLong ok = new AtomicLong();
    final AtomicLong failed = new AtomicLong();
    final AtomicLong lost = new AtomicLong();
    final AtomicLong okAfterSignal = new AtomicLong();
    final ConcurrentLinkedQueue<String> problems = new ConcurrentLinkedQueue<>();
  }

  @Test
  void sigtermUnderLoadTurnsReadinessOffServesThroughTheGraceLosesNothingAndExitsZero() throws Exception {
    Path data = SyntheticData.churn(tmp, 400, 5);
    Path bundle = tmp.resolve("bundle");
    Launcher.Run trained = Launcher.run(tmp.resolve("logs-train"), "train", "--data", data.toString(), "--label", "churned",
        "--hidden-layers", "8", "--epochs", "2", "--seed", "1", "--out", bundle.toString());
    assertThat(trained.exitCode()).as(trained.stderr()).isZero();
    int port;
    try (ServerSocket free = new ServerSocket(0)) {
      port = free.getLocalPort();
    }
    Process server = Launcher.start(tmp.resolve("logs-serve"), "serve", "--bundle", bundle.toString(), "--name", "churn",
        "--model-version", "1", "--host", "127.0.0.1", "--port", String.valueOf(port), "--drain-grace", GRACE.toSeconds() + "s");
    try {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
      while (readiness(port) != 200 && System.nanoTime() < deadline && server.isAlive()) {
        Thread.sleep(100);
      }
      assertThat(readiness(port)).as(Launcher.read(tmp.resolve("logs-serve/stderr"))).isEqualTo(200);

      Tally tally = new Tally();
      AtomicBoolean signalled = new AtomicBoolean();
      List<Thread> clients = new ArrayList<>();
      for (int c = 0; c < CLIENTS; c++) {
        Thread client = new Thread(() -> load(port, tally, signalled), "client-" + c);
        client.start();
        clients.add(client);
      }
      Thread.sleep(1500);
      assertThat(tally.ok.get()).as("the load runs").isGreaterThan(CLIENTS);

      long signalledAt = System.nanoTime();
      signalled.set(true);
      server.destroy(); // SIGTERM, to the JVM itself: the launcher execs it
      List<Integer> readinessDuringGrace = new ArrayList<>();
      long turnedAfterNanos = -1;
      long refusedAfterNanos = -1;
      while (System.nanoTime() - signalledAt < TimeUnit.SECONDS.toNanos(20)) {
        int status = readiness(port);
        if (status == -1) {
          refusedAfterNanos = System.nanoTime() - signalledAt;
          break;
        }
        if (status == 503 && turnedAfterNanos < 0) {
          turnedAfterNanos = System.nanoTime() - signalledAt; // (the signal takes a moment to reach its handler)
        }
        if (turnedAfterNanos >= 0) {
          readinessDuringGrace.add(status);
        }
        Thread.sleep(50);
      }
      for (Thread client : clients) {
        client.join(TimeUnit.SECONDS.toMillis(30));
      }
      assertThat(server.waitFor(30, TimeUnit.SECONDS)).as("exits after the drain").isTrue();
      String stderr = Launcher.read(tmp.resolve("logs-serve/stderr"));

      assertThat(server.exitValue()).as(stderr).isZero();
      assertThat(Duration.ofNanos(turnedAfterNanos)).as("readiness turns 503 at once").isBetween(Duration.ZERO, Duration.ofSeconds(1));
      assertThat(readinessDuringGrace).as("readiness, once 503, until the port closes").hasSizeGreaterThan(10).containsOnly(503);
      assertThat(Duration.ofNanos(refusedAfterNanos)).as("the listener stays open through the grace")
          .isGreaterThanOrEqualTo(GRACE.minusMillis(300));
      assertThat(tally.problems).as("requests sent that got no answer, or not 200").isEmpty();
      assertThat(tally.lost.get()).isZero();
      assertThat(tally.failed.get()).isZero();
      assertThat(tally.okAfterSignal.get()).as("requests answered after SIGTERM").isGreaterThan(CLIENTS);
      assertThat(stderr).contains("SIGTERM").contains("drained").doesNotContain("Exception");
    } finally {
      server.destroyForcibly();
    }
  }

  /** GET /v2/health/ready on a new connection: its status, or -1 when the port refuses the connection. */
  private static int readiness(int port) {
    try (Socket socket = RawHttp.connect(port)) {
      RawHttp.send(socket, "GET /v2/health/ready HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
      return RawHttp.read(new BufferedInputStream(socket.getInputStream())).status();
    } catch (IOException e) {
      return -1;
    }
  }

  /**
   * One keep-alive client: POSTs one request at a time, reconnects when an answer says Connection: close, and stops
   * when the port refuses a new connection (nothing was sent then). A request written that gets no answer is lost.
   */
  private static void load(int port, Tally tally, AtomicBoolean signalled) {
    byte[] body = INFER.getBytes(StandardCharsets.UTF_8);
    String request = "POST /v2/models/churn/infer HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: "
        + body.length + "\r\n\r\n" + INFER;
    long stopAt = System.nanoTime() + TimeUnit.SECONDS.toNanos(40);
    Socket socket = null;
    InputStream in = null;
    try {
      while (System.nanoTime() < stopAt) {
        if (socket == null) {
          try {
            socket = RawHttp.connect(port);
            in = new BufferedInputStream(socket.getInputStream());
          } catch (ConnectException refused) {
            return;
          }
        }
        boolean afterSignal = signalled.get();
        RawHttp.Response answer;
        try {
          RawHttp.send(socket, request);
          answer = RawHttp.read(in);
        } catch (IOException e) {
          tally.lost.incrementAndGet();
          tally.problems.add("lost: " + e);
          return;
        }
        if (answer.status() == 200) {
          tally.ok.incrementAndGet();
          if (afterSignal) {
            tally.okAfterSignal.incrementAndGet();
          }
        } else {
          tally.failed.incrementAndGet();
          tally.problems.add(answer.status() + " " + answer.body());
        }
        if ("close".equalsIgnoreCase(answer.headers().get("connection"))) {
          socket.close();
          socket = null;
        }
      }
    } catch (IOException e) {
      tally.problems.add("client: " + e);
    } finally {
      if (socket != null) {
        try {
          socket.close();
        } catch (IOException ignored) {
          // closing anyway
        }
      }
    }
  }
}
