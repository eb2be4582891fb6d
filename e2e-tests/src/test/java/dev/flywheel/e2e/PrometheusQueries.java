package dev.flywheel.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/** Instant PromQL queries for the end-to-end tests' assertions: a query that gives no number fails the test, with its answer. */
final class PrometheusQueries {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final String baseUrl;

  /** {@code baseUrl}: where /api/v1/query lives below (route prefix included). */
  PrometheusQueries(String baseUrl) {
    this.baseUrl = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
  }

  /** The value of the first sample of {@code promql}'s instant vector (or its scalar) now. */
  double value(String promql) throws Exception {
    HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(baseUrl + "/api/v1/query?query="
        + URLEncoder.encode(promql, StandardCharsets.UTF_8))).timeout(Duration.ofSeconds(10)).GET().build(),
        HttpResponse.BodyHandlers.ofString());
    JsonNode data = JSON.readTree(response.body()).path("data");
    JsonNode sample = data.path("resultType").asText().equals("scalar") ? data.path("result")
        : data.path("result").path(0).path("value");
    if (response.statusCode() != 200 || !sample.isArray() || sample.size() < 2) {
      throw new AssertionError("no number from Prometheus for " + promql + ": HTTP " + response.statusCode() + " " + response.body());
    }
    return Double.parseDouble(sample.get(1).asText());
  }
}
