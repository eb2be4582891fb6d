package dev.flywheel.operator.retraining;

import com.fasterxml.jackson.databind.JsonNode;
import dev.flywheel.operator.common.RuntimeJob;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * What a comparison Job reported: both versions' metrics on the same holdout rows, or why there are none.
 *
 * @param candidate the retrained version's metrics on the holdout rows
 * @param current the serving version's metrics on the same rows
 */
public record ComparisonResult(Optional<Map<String, Double>> candidate, Optional<Map<String, Double>> current, long rows, String reason) {
  public boolean scored() {
    return candidate.isPresent() && current.isPresent();
  }

  /** Parses the validator's termination message: {@code holdout.metrics} and {@code holdout.baseline.metrics}. */
  public static ComparisonResult parse(String terminationMessage) {
    Optional<JsonNode> result = terminationMessage == null ? Optional.empty() : RuntimeJob.result(terminationMessage);
    if (result.isEmpty()) {
      return failed(RuntimeJob.withoutResult(terminationMessage, "comparison"));
    }
    JsonNode json = result.get();
    if (!"Succeeded".equals(json.path("status").asText())) {
      return failed(json.path("reason").asText("the comparison failed"));
    }
    JsonNode holdout = json.path("holdout");
    Map<String, Double> candidate = metrics(holdout.path("metrics"));
    Map<String, Double> current = metrics(holdout.path("baseline").path("metrics"));
    if (candidate.isEmpty() || current.isEmpty()) {
      return failed("the comparison reported no holdout scores for both versions");
    }
    return new ComparisonResult(Optional.of(candidate), Optional.of(current), holdout.path("rows").asLong(), null);
  }

  private static ComparisonResult failed(String reason) {
    return new ComparisonResult(Optional.empty(), Optional.empty(), 0, reason);
  }

  private static Map<String, Double> metrics(JsonNode node) {
    Map<String, Double> metrics = new LinkedHashMap<>();
    node.fields().forEachRemaining(field -> {
      if (field.getValue().isNumber()) {
        metrics.put(field.getKey(), field.getValue().asDouble());
      }
    });
    return metrics;
  }
}
