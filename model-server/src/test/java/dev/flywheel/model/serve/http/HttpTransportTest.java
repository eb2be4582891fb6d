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
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The HTTP layer on a real loopback port, spoken to byte by byte: what clients of any make rely on. */
class HttpTransportTest {
  static final int MAX_BODY = 1024;
  private static HttpTransport transport;
  private static int port;

  /** Echoes "path:body length"; /slow answers 200 ms later from another thread; an oversized body gets 413. */
  @BeforeAll
  static void start() throws IOException {
    transport = new HttpTransport(settings(2, 1000), call -> {
      if (call.bodyTooLarge()) {
        call.respond(413, "application/json", "{\"error\":\"too large\"}".getBytes(StandardCharsets.UTF_8));
        return;
      }
      byte[] answer = (call.path() + ":" + call.body().length).getBytes(StandardCharsets.UTF_8);
      if (call.path().equals("/slow")) {
        CompletableFuture.delayedExecutor(200, TimeUnit.MILLISECONDS).execute(() -> call.respond(200, "text/plain", answer));
      } else {
        call.respond(200, "text/plain", answer);
      }
    });
    port = transport.start();
  }

  @AfterAll
  static void stop() {
    transport.close();
  }

  @Test
  void pipelinedRequestsAreAnsweredInTheOrderTheyCame() throws Exception {
    try (Socket socket = connect(port)) {
      send(socket, "GET /slow HTTP/1.1\r\nHost: x\r\n\r\nPOST /fast HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc");
      InputStream in = new BufferedInputStream(socket.getInputStream());
      assertThat(read(in).body()).isEqualTo("/slow:0");
      assertThat(read(in).body()).as("the fast answer waits for the slow one before it").isEqualTo("/fast:3");
    }
  }

  @Test
  void aChunkedBodyArrivesWhole() throws Exception {
    try (Socket socket = connect(port)) {
      send(socket, "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n");
      assertThat(read(new BufferedInputStream(socket.getInputStream())).body()).isEqualTo("/echo:11");
    }
  }

  @Test
  void anOversizedBodyIsReadAndDroppedAndTheConnectionCloses() throws Exception {
    try (Socket socket = connect(port)) {
      String chunk = "x".repeat(1000);
      send(socket, "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
          + ("3e8\r\n" + chunk + "\r\n").repeat(3) + "0\r\n\r\n");
      InputStream in = new BufferedInputStream(socket.getInputStream());
      Response response = read(in);
      assertThat(response.status()).isEqualTo(413);
      assertThat(response.headers()).containsEntry("connection", "close");
      assertThat(in.read()).as("closed after the answer").isEqualTo(-1);
    }
  }

  @Test
  void anOversizedBodyThatAsksToContinueIsRefusedBeforeItIsSent() throws Exception {
    try (Socket socket = connect(port)) {
      send(socket, "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 50000000\r\nExpect: 100-continue\r\n\r\n");
      Response response = read(new BufferedInputStream(socket.getInputStream()));
      assertThat(response.status()).as("no 100 Continue: the answer comes first").isEqualTo(413);
    }
  }

  @Test
  void aBodyThatAsksToContinueIsAskedFor() throws Exception {
    try (Socket socket = connect(port)) {
      send(socket, "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nExpect: 100-continue\r\n\r\n");
      InputStream in = new BufferedInputStream(socket.getInputStream());
      assertThat(read(in).status()).isEqualTo(100);
      send(socket, "abcd");
      assertThat(read(in).body()).isEqualTo("/echo:4");
    }
  }

  @Test
  void unreadableHttpGetsAJsonErrorAndTheConnectionCloses() throws Exception {
    Map<String, Integer> cases = Map.of(
        "NONSENSE\r\n\r\n", 400,
        "GET /" + "a".repeat(9000) + " HTTP/1.1\r\nHost: x\r\n\r\n", 414,
        "GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + "b".repeat(20_000) + "\r\n\r\n", 431,
        "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: nine\r\n\r\n", 400,
        "GET /%zz HTTP/1.1\r\nHost: x\r\n\r\n", 400);
    for (Map.Entry<String, Integer> c : cases.entrySet()) {
      try (Socket socket = connect(port)) {
        send(socket, c.getKey());
        InputStream in = new BufferedInputStream(socket.getInputStream());
        Response response = read(in);
        assertThat(response.status()).as(c.getKey().substring(0, Math.min(40, c.getKey().length()))).isEqualTo(c.getValue());
        assertThat(response.body()).startsWith("{\"error\":\"");
        assertThat(in.read()).isEqualTo(-1);
      }
    }
  }

  @Test
  void headGetsTheHeadersOfGetWithoutTheBody() throws Exception {
    try (Socket socket = connect(port)) {
      send(socket, "HEAD /echo HTTP/1.1\r\nHost: x\r\n\r\nGET /echo HTTP/1.1\r\nHost: x\r\n\r\n");
      InputStream in = new BufferedInputStream(socket.getInputStream());
      Response head = read(in, false);
      Response get = read(in);
      assertThat(head.status()).isEqualTo(200);
      assertThat(head.headers().get("content-length")).isEqualTo(String.valueOf(get.body().length()));
      assertThat(get.body()).isEqualTo("/echo:0");
    }
  }

  @Test
  void http10ClosesAfterTheAnswerUnlessAskedToKeepAlive() throws Exception {
    try (Socket socket = connect(port)) {
      send(socket, "GET /old HTTP/1.0\r\n\r\n");
      InputStream in = new BufferedInputStream(socket.getInputStream());
      assertThat(read(in).body()).isEqualTo("/old:0");
      assertThat(in.read()).isEqualTo(-1);
    }
    try (Socket socket = connect(port)) {
      send(socket, "GET /old HTTP/1.0\r\nConnection: keep-alive\r\n\r\nGET /again HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
      InputStream in = new BufferedInputStream(socket.getInputStream());
      assertThat(read(in).headers()).containsEntry("connection", "keep-alive");
      assertThat(read(in).body()).isEqualTo("/again:0");
    }
  }

  @Test
  void aConnectionOverTheLimitIsAnswered503AndClosedUntilOneFrees() throws Exception {
    HttpTransport limited = new HttpTransport(settings(1, 2), HttpTransportTest::ok);
    int limitedPort = limited.start();
    try (Socket first = connect(limitedPort); Socket second = connect(limitedPort)) {
      for (Socket open : java.util.List.of(first, second)) {
        send(open, "GET / HTTP/1.1\r\nHost: x\r\n\r\n");
        assertThat(read(new BufferedInputStream(open.getInputStream())).body()).isEqualTo("ok");
      }
      try (Socket third = connect(limitedPort)) {
        InputStream in = new BufferedInputStream(third.getInputStream());
        Response refused = read(in);
        assertThat(refused.status()).isEqualTo(503);
        assertThat(refused.body()).contains("limit of open connections");
        assertThat(in.read()).isEqualTo(-1);
      }
      first.close();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
      int status;
      do {
        try (Socket again = connect(limitedPort)) {
          send(again, "GET / HTTP/1.1\r\nHost: x\r\n\r\n");
          status = read(new BufferedInputStream(again.getInputStream())).status();
        } catch (IOException e) {
          status = -1; // refused while the freed place is not yet counted (the refusal may reset our request)
        }
      } while (status != 200 && System.nanoTime() < deadline);
      assertThat(status).as("a closed connection frees its place").isEqualTo(200);
    } finally {
      limited.close();
    }
  }

  /** Loopback, MAX_BODY, 30 s timeouts, no drain grace. */
  static TransportSettings settings(int ioThreads, int maxConnections) {
    Duration long30 = Duration.ofSeconds(30);
    return TransportSettings.defaults("127.0.0.1", 0).withLimits(ioThreads, MAX_BODY, maxConnections).withTimeouts(long30, long30, long30);
  }

  static void ok(HttpCall call) {
    call.respond(200, "text/plain", "ok".getBytes(StandardCharsets.UTF_8));
  }

}
