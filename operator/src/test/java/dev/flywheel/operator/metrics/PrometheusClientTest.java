package dev.flywheel.operator.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.flywheel.operator.metrics.QueryResult.Outcome;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The HTTP side of PrometheusClient against a real loopback server playing Prometheus: URL, headers, failures. */
class PrometheusClientTest {
  private static final String ONE = "{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":[{\"metric\":{},\"value\":[1,\"0.5\"]}]}}";

  /** What the fake Prometheus saw of one request. */
  private record Seen(String path, String query, Map<String, List<String>> headers) {}

  private HttpServer server;
  private final ConcurrentLinkedQueue<Seen> seen = new ConcurrentLinkedQueue<>();
  private final PrometheusClient client = new PrometheusClient(Duration.ofSeconds(2), Duration.ofMillis(800));
  private String base;

  @BeforeEach
  void start() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.setExecutor(Executors.newCachedThreadPool());
    server.createContext("/", exchange -> {
      URI uri = exchange.getRequestURI();
      seen.add(new Seen(uri.getPath(), uri.getQuery(), Map.copyOf(exchange.getRequestHeaders())));
      String promql = uri.getQuery() == null ? "" : uri.getQuery().replaceFirst("^query=", "");
      switch (promql) {
        case "slow" -> {
          sleep(3000);
          respond(exchange, 200, ONE);
        }
        case "huge" -> respond(exchange, 200, "{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":[" + "{\"metric\":{},\"value\":[1,\"1\"]},".repeat(60_000) + "]}}");
        case "redirect" -> {
          exchange.getResponseHeaders().add("Location", "http://127.0.0.1:1/elsewhere");
          respond(exchange, 302, "");
        }
        case "denied" -> respond(exchange, 401, "Unauthorized");
        default -> respond(exchange, 200, ONE);
      }
    });
    server.start();
    base = "http://127.0.0.1:" + server.getAddress().getPort();
  }

  @AfterEach
  void stop() {
    server.stop(0);
  }

  private static void respond(HttpExchange exchange, int status, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
    if (bytes.length > 0) {
      exchange.getResponseBody().write(bytes);
    }
    exchange.close();
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Test
  void theQueryIsUrlEncodedUnderTheBaseUrlWithOrWithoutSlashOrPrefix() {
    String promql = "sum(rate(flywheel_requests_total{model=\"churn\",outcome!=\"ok\"}[5m])) / 2 + 1 & a=b";
    for (String url : new String[] {base, base + "/", base + "/prometheus", base + "/prometheus/"}) {
      seen.clear();
      QueryResult result = client.query(PrometheusEndpoint.of(url), promql);
      assertThat(result.value()).as(url).isEqualTo(0.5);
      Seen request = seen.poll();
      assertThat(request.path()).as(url).isEqualTo(url.contains("prometheus") ? "/prometheus/api/v1/query" : "/api/v1/query");
      assertThat(request.query()).as(url).isEqualTo("query=" + promql);
    }
    assertThat(PrometheusClient.queryUri("http://p:9090/", "up == 1").toString()).isEqualTo("http://p:9090/api/v1/query?query=up%20%3D%3D%201");
  }

  @Test
  void extraHeadersAndABearerTokenAreSent() {
    client.query(PrometheusEndpoint.from(base, Map.of("X-Scope-OrgID", "team-a"), Map.of("token", "t0ken")), "up");
    Map<String, List<String>> headers = seen.poll().headers();
    assertThat(headers.get("X-scope-orgid")).containsExactly("team-a");
    assertThat(headers.get("Authorization")).containsExactly("Bearer t0ken");
    assertThat(headers.get("Accept")).containsExactly("application/json");
  }

  @Test
  void basicAuthIsSent() {
    client.query(PrometheusEndpoint.from(base, Map.of(), Map.of("username", "flywheel", "password", "pw")), "up");
    assertThat(seen.poll().headers().get("Authorization")).containsExactly("Basic Zmx5d2hlZWw6cHc=");
  }

  @Test
  void noCredentialsMeansNoAuthorizationHeader() {
    client.query(PrometheusEndpoint.of(base), "up");
    assertThat(seen.poll().headers()).doesNotContainKey("Authorization");
  }

  @Test
  void unauthorizedIsAQueryErrorPointingAtTheSecret() {
    QueryResult result = client.query(PrometheusEndpoint.from(base, Map.of(), Map.of("token", "wrong")), "denied");
    assertThat(result.outcome()).isEqualTo(Outcome.QUERY_ERROR);
    assertThat(result.message()).isEqualTo("Prometheus answered 401: check monitoring.secretRef");
  }

  @Test
  void aSlowPrometheusIsUnreachableAfterTheQueryTimeout() {
    long started = System.nanoTime();
    QueryResult result = client.query(PrometheusEndpoint.of(base), "slow");
    long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
    assertThat(result.outcome()).isEqualTo(Outcome.UNREACHABLE);
    assertThat(result.message()).isEqualTo("Prometheus at " + base + " did not answer within 800ms");
    assertThat(millis).isBetween(700L, 2500L);
  }

  @Test
  void aClosedPortIsUnreachable() throws IOException {
    int port;
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = socket.getLocalPort();
    }
    QueryResult result = client.query(PrometheusEndpoint.of("http://127.0.0.1:" + port), "up");
    assertThat(result.outcome()).isEqualTo(Outcome.UNREACHABLE);
    assertThat(result.message()).isEqualTo("cannot reach Prometheus at http://127.0.0.1:" + port + ": connection refused");
  }

  @Test
  void aHugeAnswerIsRefusedWithoutReadingItAll() {
    QueryResult result = client.query(PrometheusEndpoint.of(base), "huge");
    assertThat(result.outcome()).isEqualTo(Outcome.QUERY_ERROR);
    assertThat(result.message()).contains("more than 1024 KiB");
  }

  @Test
  void redirectsAreNotFollowed() {
    QueryResult result = client.query(PrometheusEndpoint.from(base, Map.of(), Map.of("token", "t")), "redirect");
    assertThat(result.outcome()).isEqualTo(Outcome.QUERY_ERROR);
    assertThat(result.message()).startsWith("Prometheus answered 302");
    assertThat(seen).hasSize(1);
  }

  @Test
  void oneClientServesConcurrentQueries() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      List<Future<QueryResult>> futures = new ArrayList<>();
      for (int i = 0; i < 32; i++) {
        futures.add(pool.submit(() -> client.query(PrometheusEndpoint.of(base), "up")));
      }
      for (Future<QueryResult> future : futures) {
        assertThat(future.get(10, TimeUnit.SECONDS).value()).isEqualTo(0.5);
      }
    } finally {
      pool.shutdownNow();
    }
  }
}
