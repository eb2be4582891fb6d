package dev.flywheel.model.serve.http;

import static dev.flywheel.model.serve.http.RawHttp.connect;
import static dev.flywheel.model.serve.http.RawHttp.read;
import static dev.flywheel.model.serve.http.RawHttp.send;
import static org.assertj.core.api.Assertions.assertThat;

import dev.flywheel.model.serve.http.RawHttp.Response;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Slow clients cannot hold connections, on a real loopback port: a head or a body that stops arriving is answered
 * 408 and closed after the header or body timeout, a connection that sends nothing is closed, and 50 stalled
 * uploads under a limit of 50 connections lock nobody out for longer than the body timeout.
 */
class SlowClientTest {
  private static final Duration HEADER_TIMEOUT = Duration.ofMillis(400);
  private static final Duration BODY_TIMEOUT = Duration.ofMillis(700);
  private static HttpTransport transport;
  private static int port;

  @BeforeAll
  static void start() throws IOException {
    transport = new HttpTransport(timed(1000), HttpTransportTest::ok);
    port = transport.start();
  }

  @AfterAll
  static void stop() {
    transport.close();
  }

  private static TransportSettings timed(int maxConnections) {
    return HttpTransportTest.settings(2, maxConnections).withTimeouts(Duration.ofSeconds(30), HEADER_TIMEOUT, BODY_TIMEOUT);
  }

  @Test
  void aHeadThatStopsArrivingIsAnswered408AndClosed() throws Exception {
    try (Socket socket = connect(port)) {
      long started = System.nanoTime();
      send(socket, "POST /v2/models/m/infer HTTP/1.1\r\nHost: x\r\nContent-Le");
      InputStream in = new BufferedInputStream(socket.getInputStream());
      Response response = read(in);
      assertThat(response.status()).isEqualTo(408);
      assertThat(response.body()).contains("headers did not arrive within 400 ms");
      assertThat(in.read()).isEqualTo(-1);
      assertThat(elapsed(started)).isBetween(HEADER_TIMEOUT, HEADER_TIMEOUT.plusSeconds(2));
    }
  }

  @Test
  void aBodyThatStopsArrivingIsAnswered408AndClosed() throws Exception {
    try (Socket socket = connect(port)) {
      send(socket, "POST /v2/models/m/infer HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{\"inputs\":");
      long started = System.nanoTime();
      InputStream in = new BufferedInputStream(socket.getInputStream());
      Response response = read(in);
      assertThat(response.status()).isEqualTo(408);
      assertThat(response.body()).contains("body did not arrive within 700 ms");
      assertThat(in.read()).isEqualTo(-1);
      assertThat(elapsed(started)).isBetween(BODY_TIMEOUT.minusMillis(50), BODY_TIMEOUT.plusSeconds(2));
    }
  }

  @Test
  void aBodyThatArrivesInPiecesWithinTheTimeoutIsServed() throws Exception {
    try (Socket socket = connect(port)) {
      send(socket, "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 9\r\n\r\n");
      for (String piece : List.of("abc", "def", "ghi")) {
        Thread.sleep(100);
        send(socket, piece);
      }
      assertThat(read(new BufferedInputStream(socket.getInputStream())).status()).isEqualTo(200);
    }
  }

  @Test
  void aConnectionThatSendsNothingIsClosedAfterTheHeaderTimeout() throws Exception {
    try (Socket socket = connect(port)) {
      long started = System.nanoTime();
      assertThat(socket.getInputStream().read()).as("closed without an answer: nothing was asked").isEqualTo(-1);
      assertThat(elapsed(started)).isBetween(HEADER_TIMEOUT.minusMillis(50), HEADER_TIMEOUT.plusSeconds(2));
    }
  }

  @Test
  void aPartialHeadPipelinedBehindARequestGetsTheHeaderTimeoutNotTheIdleOne() throws Exception {
    try (Socket socket = connect(port)) {
      send(socket, "GET /first HTTP/1.1\r\nHost: x\r\n\r\nGET /second HTTP/1.1\r\nHo");
      InputStream in = new BufferedInputStream(socket.getInputStream());
      assertThat(read(in).status()).isEqualTo(200);
      assertThat(read(in).status()).isEqualTo(408);
      assertThat(in.read()).isEqualTo(-1);
    }
  }

  @Test
  void aKeepAliveConnectionBetweenRequestsWaitsForTheIdleTimeoutNotTheHeaderOne() throws Exception {
    try (Socket socket = connect(port)) {
      InputStream in = new BufferedInputStream(socket.getInputStream());
      send(socket, "GET /one HTTP/1.1\r\nHost: x\r\n\r\n\r\n"); // (an extra empty line, as some clients send, starts nothing)
      assertThat(read(in).status()).isEqualTo(200);
      Thread.sleep(HEADER_TIMEOUT.multipliedBy(2).toMillis());
      send(socket, "GET /two HTTP/1.1\r\nHost: x\r\n\r\n");
      assertThat(read(in).status()).isEqualTo(200);
    }
  }

  @Test
  void fiftyStalledUploadsUnderALimitOfFiftyLockNobodyOutPastTheBodyTimeout() throws Exception {
    HttpTransport limited = new HttpTransport(timed(50), HttpTransportTest::ok);
    int limitedPort = limited.start();
    List<Socket> stalled = new ArrayList<>();
    try {
      for (int i = 0; i < 50; i++) {
        Socket socket = connect(limitedPort);
        stalled.add(socket);
        send(socket, "POST /v2/models/m/infer HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n{\"inputs\": [");
      }
      long stalledAt = System.nanoTime();
      try (Socket locked = connect(limitedPort)) {
        assertThat(read(new BufferedInputStream(locked.getInputStream())).status()).as("the 51st is over the limit").isEqualTo(503);
      }
      int status = -1;
      while (status != 200 && elapsed(stalledAt).compareTo(BODY_TIMEOUT.plusSeconds(3)) < 0) {
        try (Socket client = connect(limitedPort)) {
          send(client, "GET /v2/health/ready HTTP/1.1\r\nHost: x\r\n\r\n");
          status = read(new BufferedInputStream(client.getInputStream())).status();
        } catch (IOException refusedMidRequest) {
          status = -1;
        }
        if (status != 200) {
          Thread.sleep(50);
        }
      }
      assertThat(status).as("a normal client is answered once the stalled uploads time out").isEqualTo(200);
      assertThat(elapsed(stalledAt)).isLessThan(BODY_TIMEOUT.plusSeconds(3));
      for (Socket socket : stalled) {
        InputStream in = new BufferedInputStream(socket.getInputStream());
        assertThat(read(in).status()).isEqualTo(408);
        assertThat(in.read()).isEqualTo(-1);
      }
    } finally {
      for (Socket socket : stalled) {
        socket.close();
      }
      limited.close();
    }
  }

  private static Duration elapsed(long startedNanos) {
    return Duration.ofNanos(System.nanoTime() - startedNanos);
  }
}
