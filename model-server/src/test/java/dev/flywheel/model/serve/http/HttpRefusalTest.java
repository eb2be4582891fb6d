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
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * What the transport refuses itself, on a real loopback port: garbage behind valid pipelined requests, an encoded
 * '/' in the path, HTTP versions other than 1.0 and 1.1, transfer codings it cannot read. Each refusal is JSON, comes
 * after the answers to every request before it, and closes the connection.
 */
class HttpRefusalTest {
  private static HttpTransport transport;
  private static int port;

  /** Echoes "path:body length"; /slow answers 200 ms later from another thread. */
  @BeforeAll
  static void start() throws IOException {
    transport = new HttpTransport(HttpTransportTest.settings(2, 1000), call -> {
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
  void garbageBehindPipelinedRequestsIsRefusedAfterTheyAreAnswered() throws Exception {
    try (Socket socket = connect(port)) {
      send(socket, "GET /slow HTTP/1.1\r\nHost: x\r\n\r\n"
          + "POST /fast HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc"
          + "GARBAGE \u0001\u0002 nonsense\r\n\r\n"
          + "GET /after HTTP/1.1\r\nHost: x\r\n\r\n");
      InputStream in = new BufferedInputStream(socket.getInputStream());
      assertThat(read(in).body()).isEqualTo("/slow:0");
      assertThat(read(in).body()).isEqualTo("/fast:3");
      Response refused = read(in);
      assertThat(refused.status()).isEqualTo(400);
      assertThat(refused.body()).startsWith("{\"error\":\"");
      assertThat(refused.headers()).containsEntry("connection", "close");
      assertThat(in.read()).as("closed after the refusal; nothing behind it is answered").isEqualTo(-1);
    }
  }

  @Test
  void aRefusalBehindASlowAnswerWaitsForIt() throws Exception {
    try (Socket socket = connect(port)) {
      send(socket, "GET /slow HTTP/1.1\r\nHost: x\r\n\r\nGET /v2/models/credit%2Finfer HTTP/1.1\r\nHost: x\r\n\r\n");
      InputStream in = new BufferedInputStream(socket.getInputStream());
      assertThat(read(in).body()).isEqualTo("/slow:0");
      assertThat(read(in).status()).isEqualTo(400);
      assertThat(in.read()).isEqualTo(-1);
    }
  }

  @Test
  void unsupportedRequestsAreRefusedWithJsonAndTheConnectionCloses() throws Exception {
    Map<String, Integer> cases = new LinkedHashMap<>();
    cases.put("GET /v2/models/credit%2Finfer HTTP/1.1\r\nHost: x\r\n\r\n", 400);
    cases.put("POST /v2/models/credit%2finfer?x=1 HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n{}", 400);
    cases.put("GET /v2/health/live HTTP/2.0\r\nHost: x\r\n\r\n", 505);
    cases.put("GET /v2/health/live HTTP/1.7\r\nHost: x\r\n\r\n", 505);
    cases.put("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", 505);
    cases.put("POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip, chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n", 501);
    cases.put("POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\nabc", 400);
    cases.put("POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked, gzip\r\n\r\n3\r\nabc\r\n0\r\n\r\n", 400);
    cases.put("POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400);
    for (Map.Entry<String, Integer> c : cases.entrySet()) {
      String what = c.getKey().substring(0, c.getKey().indexOf('\r')) + " " + c.getKey().replaceAll("(?s).*?(Transfer-Encoding: [^\r]*).*|.*", "$1");
      try (Socket socket = connect(port)) {
        send(socket, c.getKey());
        InputStream in = new BufferedInputStream(socket.getInputStream());
        Response response = read(in);
        assertThat(response.status()).as(what).isEqualTo(c.getValue());
        assertThat(response.headers()).as(what).containsEntry("content-type", "application/json");
        assertThat(response.body()).as(what).startsWith("{\"error\":\"").endsWith("\"}");
        assertThat(in.read()).as(what + ": closed").isEqualTo(-1);
      }
    }
  }

  @Test
  void chunkedAloneAndPlainPathsStillWork() throws Exception {
    try (Socket socket = connect(port)) {
      send(socket, "POST /v2/models/credit/infer HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: Chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n"
          + "GET /a%20b HTTP/1.0\r\n\r\n");
      InputStream in = new BufferedInputStream(socket.getInputStream());
      assertThat(read(in).body()).isEqualTo("/v2/models/credit/infer:3");
      assertThat(read(in).body()).as("other escapes are decoded").isEqualTo("/a b:0");
    }
  }
}
