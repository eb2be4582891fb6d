package dev.flywheel.operator.metrics;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The {@link MetricsSource} that asks a real Prometheus (or anything serving its HTTP API: Thanos, Mimir, Cortex):
 * {@code GET <url>/api/v1/query?query=…} with the endpoint's headers and credentials, no redirects followed.
 * Thread-safe; one instance serves every query. Never throws for network or Prometheus failures.
 */
public final class PrometheusClient implements MetricsSource {
  /** An answer larger than this cannot be one number: refused without reading it all. */
  static final int MAX_BODY_BYTES = 1 << 20;

  private final HttpClient http;
  private final Duration connectTimeout;
  private final Duration queryTimeout;

  /**
   * @param connectTimeout the longest wait for a TCP (and TLS) connection
   * @param queryTimeout the longest a whole query may take, connecting and reading the answer included
   */
  public PrometheusClient(Duration connectTimeout, Duration queryTimeout) {
    this.connectTimeout = requirePositive(connectTimeout, "connectTimeout");
    this.queryTimeout = requirePositive(queryTimeout, "queryTimeout");
    this.http = HttpClient.newBuilder()
        .connectTimeout(connectTimeout)
        .followRedirects(HttpClient.Redirect.NEVER) // a redirect must not carry the credentials to another host
        .version(HttpClient.Version.HTTP_1_1)
        .build();
  }

  @Override
  public QueryResult query(PrometheusEndpoint endpoint, String promql) {
    Objects.requireNonNull(endpoint, "endpoint");
    Objects.requireNonNull(promql, "promql");
    HttpRequest request;
    try {
      request = request(endpoint, promql);
    } catch (IllegalArgumentException e) {
      return QueryResult.queryError("cannot build the query for Prometheus at " + endpoint.url() + ": " + e.getMessage());
    }
    CompletableFuture<HttpResponse<BoundedBody>> answer = http.sendAsync(request, BoundedBody.handler(MAX_BODY_BYTES));
    try {
      HttpResponse<BoundedBody> response = answer.get(queryTimeout.toMillis(), TimeUnit.MILLISECONDS);
      if (response.body().tooLarge()) {
        return QueryResult.queryError("Prometheus answered with more than " + MAX_BODY_BYTES / 1024
            + " KiB; the query must return one number (aggregate it, e.g. sum(...))");
      }
      return PrometheusResponse.parse(response.statusCode(), response.body().text());
    } catch (TimeoutException e) {
      answer.cancel(true);
      return PrometheusFailures.noAnswer(endpoint.url(), queryTimeout);
    } catch (ExecutionException e) {
      return PrometheusFailures.classify(e.getCause(), endpoint.url(), connectTimeout, queryTimeout);
    } catch (InterruptedException e) {
      answer.cancel(true);
      Thread.currentThread().interrupt();
      return QueryResult.unreachable("interrupted while querying Prometheus at " + endpoint.url());
    }
  }

  private HttpRequest request(PrometheusEndpoint endpoint, String promql) {
    HttpRequest.Builder builder = HttpRequest.newBuilder(queryUri(endpoint.url(), promql))
        .GET()
        .timeout(queryTimeout)
        .header("Accept", "application/json")
        .header("User-Agent", "flywheel-operator");
    endpoint.headers().forEach(builder::setHeader);
    endpoint.credentials().authorization().ifPresent(value -> builder.setHeader("Authorization", value));
    return builder.build();
  }

  /** {@code <base>/api/v1/query?query=<promql>}; the base may end in a slash and carry a path prefix. */
  static URI queryUri(String baseUrl, String promql) {
    String base = baseUrl;
    while (base.endsWith("/")) {
      base = base.substring(0, base.length() - 1);
    }
    String query = URLEncoder.encode(promql, StandardCharsets.UTF_8).replace("+", "%20");
    return URI.create(base + "/api/v1/query?query=" + query);
  }

  private static Duration requirePositive(Duration duration, String name) {
    Objects.requireNonNull(duration, name);
    if (duration.isNegative() || duration.isZero()) {
      throw new IllegalArgumentException(name + " must be positive, got " + duration);
    }
    return duration;
  }
}
