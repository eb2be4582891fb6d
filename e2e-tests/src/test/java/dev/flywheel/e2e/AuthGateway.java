package dev.flywheel.e2e;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A bearer-token gateway on loopback in front of the real Prometheus, as an auth proxy (or Mimir's tenant header)
 * would be: it forwards {@code /gateway/...} only when the request carries the expected bearer token and tenant
 * header, answering 401 otherwise; counts what it forwarded and refused.
 */
final class AuthGateway implements AutoCloseable {
  static final String PREFIX = "/gateway";
  /** The tenant header Mimir and Cortex read. */
  static final String TENANT_HEADER = "X-Scope-OrgID";

  private final HttpServer server;
  private final HttpClient upstreamClient = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
  private final AtomicInteger forwarded = new AtomicInteger();
  private final AtomicInteger refused = new AtomicInteger();

  /**
   * @param token the bearer token to require
   * @param tenant the value of {@link #TENANT_HEADER} to require
   * @param upstream Prometheus' base URL; forwarded requests carry {@code upstreamAuthorization}
   */
  AuthGateway(String token, String tenant, String upstream, String upstreamAuthorization) throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext(PREFIX, exchange -> {
      try (exchange) {
        boolean allowed = ("Bearer " + token).equals(exchange.getRequestHeaders().getFirst("Authorization"))
            && tenant.equals(exchange.getRequestHeaders().getFirst(TENANT_HEADER));
        if (!allowed) {
          refused.incrementAndGet();
          exchange.sendResponseHeaders(401, -1);
          return;
        }
        forwarded.incrementAndGet();
        forward(exchange, upstream, upstreamAuthorization);
      }
    });
    server.start();
  }

  private void forward(HttpExchange exchange, String upstream, String upstreamAuthorization) throws IOException {
    URI uri = exchange.getRequestURI();
    String target = upstream + uri.getRawPath().substring(PREFIX.length()) + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery());
    try {
      HttpResponse<byte[]> answer = upstreamClient.send(HttpRequest.newBuilder(URI.create(target))
          .header("Authorization", upstreamAuthorization).timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofByteArray());
      exchange.getResponseHeaders().add("Content-Type", answer.headers().firstValue("Content-Type").orElse("application/json"));
      exchange.sendResponseHeaders(answer.statusCode(), answer.body().length == 0 ? -1 : answer.body().length);
      exchange.getResponseBody().write(answer.body());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      exchange.sendResponseHeaders(502, -1);
    } catch (IOException e) {
      exchange.sendResponseHeaders(502, -1);
    }
  }

  /** The base URL to give the operator: http://127.0.0.1:port/gateway. */
  String baseUrl() {
    return "http://127.0.0.1:" + server.getAddress().getPort() + PREFIX;
  }

  int forwarded() {
    return forwarded.get();
  }

  int refused() {
    return refused.get();
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
