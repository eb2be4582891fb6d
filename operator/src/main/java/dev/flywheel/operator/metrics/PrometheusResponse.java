package dev.flywheel.operator.metrics;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Reads an answer of Prometheus' instant-query API ({@code /api/v1/query}) into a {@link QueryResult}: a pure function
 * of the HTTP status and the body, for every shape the API documents. Never throws.
 */
public final class PrometheusResponse {
  private static final ObjectMapper JSON = new ObjectMapper();

  private PrometheusResponse() {}

  /** The result of an answer with this HTTP status and body. */
  public static QueryResult parse(int httpStatus, String body) {
    if (httpStatus == 401 || httpStatus == 403) {
      return QueryResult.queryError("Prometheus answered " + httpStatus + ": check monitoring.secretRef");
    }
    JsonNode root = readJson(body);
    if (root == null || !root.path("status").isTextual()) {
      return QueryResult.queryError("Prometheus answered " + httpStatus
          + " with a body that is not its JSON API: check monitoring.prometheusUrl (the base URL, without /api/v1)");
    }
    String status = root.path("status").asText();
    if (status.equals("error")) {
      return QueryResult.queryError("query failed (" + root.path("errorType").asText("unknown error") + "): "
          + root.path("error").asText("no error message"));
    }
    if (!status.equals("success")) {
      return QueryResult.queryError("Prometheus answered " + httpStatus + " with status '" + status + "'");
    }
    JsonNode data = root.path("data");
    String resultType = data.path("resultType").asText("");
    JsonNode result = data.path("result");
    switch (resultType) {
      case "vector":
        return vector(result);
      case "scalar":
        return sample(result, "the scalar");
      case "matrix":
        return QueryResult.queryError("returned a range vector; the query must return one number (e.g. rate(x[5m]), not x[5m])");
      case "string":
        return QueryResult.queryError("returned a string; the query must return one number");
      default:
        return QueryResult.queryError("returned an unknown result type '" + resultType + "'");
    }
  }

  private static QueryResult vector(JsonNode result) {
    if (!result.isArray()) {
      return QueryResult.queryError("returned a vector without a result list");
    }
    if (result.isEmpty()) {
      return QueryResult.noData("no data: the query matched no series");
    }
    if (result.size() > 1) {
      return QueryResult.queryError("returned " + result.size()
          + " series; the query must return one number (aggregate it, e.g. sum(...))");
    }
    JsonNode series = result.get(0);
    if (series.has("histogram") && !series.has("value")) {
      return QueryResult.queryError("returned a native histogram; the query must return one number (e.g. histogram_quantile)");
    }
    return sample(series.path("value"), "the sample");
  }

  /** A sample is {@code [<unix time>, "<value>"]}. */
  private static QueryResult sample(JsonNode pair, String what) {
    if (!pair.isArray() || pair.size() != 2 || !pair.get(1).isTextual()) {
      return QueryResult.queryError(what + " is not [time, \"value\"]");
    }
    String text = pair.get(1).asText();
    double value;
    try {
      value = PromNumbers.parse(text);
    } catch (NumberFormatException e) {
      return QueryResult.queryError(what + " value '" + abbreviated(text) + "' is not a number");
    }
    if (Double.isNaN(value)) {
      return QueryResult.notANumber("the query returned NaN (e.g. a ratio over no traffic)");
    }
    return QueryResult.value(value);
  }

  private static JsonNode readJson(String body) {
    if (body == null || body.isBlank()) {
      return null;
    }
    try {
      JsonNode node = JSON.readTree(body);
      return node != null && node.isObject() ? node : null;
    } catch (JsonProcessingException e) {
      return null;
    }
  }

  private static String abbreviated(String text) {
    return text.length() > 40 ? text.substring(0, 40) + "…" : text;
  }
}
