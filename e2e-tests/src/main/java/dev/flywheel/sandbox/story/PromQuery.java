package dev.flywheel.sandbox.story;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.OptionalDouble;

/** Instant PromQL queries against the sandbox's Prometheus, for the story's before/after numbers. */
final class PromQuery {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  private final String baseUrl;

  /** {@code baseUrl}: where /api/v1/query lives below (route prefix included). */
  PromQuery(String baseUrl) {
    this.baseUrl = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
  }

  /** The first sample of an instant vector or a scalar; empty when there is none or Prometheus does not answer. */
  OptionalDouble value(String promql) {
    try {
      HttpRequest request = HttpRequest.newBuilder(URI.create(baseUrl + "/api/v1/query?query="
          + URLEncoder.encode(promql, StandardCharsets.UTF_8))).timeout(Duration.ofSeconds(5)).GET().build();
      HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
      if (response.statusCode() != 200) {
        return OptionalDouble.empty();
      }
      JsonNode data = JSON.readTree(response.body()).path("data");
      JsonNode sample = data.path("resultType").asText().equals("scalar") ? data.path("result")
          : data.path("result").path(0).path("value");
      if (!sample.isArray() || sample.size() < 2) {
        return OptionalDouble.empty();
      }
      double value = Double.parseDouble(sample.get(1).asText());
      return Double.isFinite(value) ? OptionalDouble.of(value) : OptionalDouble.empty();
    } catch (IOException | RuntimeException e) {
      return OptionalDouble.empty();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return OptionalDouble.empty();
    }
  }
}
