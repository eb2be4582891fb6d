package dev.flywheel.operator.trainingjob;

import com.fasterxml.jackson.databind.JsonNode;
import dev.flywheel.operator.common.RuntimeJob;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * What the trainer reported in its container's termination message (the JSON that flywheel-model train writes to
 * /dev/termination-log): the operator needs no access to the trainer's storage or logs.
 */
public record TrainerResult(
    boolean succeeded, String reason, String bundleDigest, String datasetDigest, Map<String, Double> metrics,
    Map<String, String> hyperparameters, Long seed) {

  /** Parses a termination message; a message that is not the trainer's JSON becomes a failure with its text. */
  public static TrainerResult parse(String message) {
    Optional<JsonNode> result = RuntimeJob.result(message);
    if (result.isEmpty()) {
      return failure(RuntimeJob.withoutResult(message, "trainer"));
    }
    JsonNode json = result.get();
    if (!"Succeeded".equals(json.path("status").asText())) {
      return failure(json.path("reason").asText("the trainer reported a failure without a reason"));
    }
    Map<String, Double> metrics = new LinkedHashMap<>();
    json.path("metrics").fields().forEachRemaining(e -> metrics.put(e.getKey(), e.getValue().asDouble()));
    Map<String, String> hyperparameters = new LinkedHashMap<>();
    json.path("hyperparameters").fields().forEachRemaining(e ->
        hyperparameters.put(e.getKey(), e.getValue().isTextual() ? e.getValue().asText() : e.getValue().toString()));
    return new TrainerResult(true, null, json.path("bundleDigest").asText(null), json.path("datasetDigest").asText(null),
        metrics, hyperparameters, json.has("seed") ? json.get("seed").asLong() : null);
  }

  static TrainerResult failure(String reason) {
    return new TrainerResult(false, reason, null, null, Map.of(), Map.of(), null);
  }
}
