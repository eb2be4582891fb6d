package dev.flywheel.operator.modelversion;

import com.fasterxml.jackson.databind.JsonNode;
import dev.flywheel.operator.common.RuntimeJob;
import java.util.Optional;

/** What {@code flywheel-model validate} reported in its termination message. */
public record ValidationOutcome(boolean passed, Boolean digestMatch, String observedDigest, Boolean smokeTestPassed, String reason) {

  public static ValidationOutcome parse(String message) {
    Optional<JsonNode> result = RuntimeJob.result(message);
    if (result.isEmpty()) {
      return new ValidationOutcome(false, null, null, null, RuntimeJob.withoutResult(message, "validator"));
    }
    JsonNode json = result.get();
    return new ValidationOutcome("Succeeded".equals(json.path("status").asText()),
        json.has("digestMatch") ? json.get("digestMatch").asBoolean() : null,
        json.path("observedDigest").asText(null),
        json.has("smokeTestPassed") ? json.get("smokeTestPassed").asBoolean() : null,
        json.path("reason").asText(null));
  }

  /** The Validated condition's reason. */
  public String conditionReason() {
    if (passed) {
      return "ValidationPassed";
    }
    return Boolean.FALSE.equals(digestMatch) ? "DigestMismatch" : "ValidationFailed";
  }
}
