package dev.flywheel.operator.modelversion;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.client.utils.Serialization;

/** What {@code flywheel-model validate} reported in its termination message. */
public record ValidationOutcome(boolean passed, Boolean digestMatch, String observedDigest, Boolean smokeTestPassed, String reason) {

  public static ValidationOutcome parse(String message) {
    JsonNode json;
    try {
      json = Serialization.jsonMapper().readTree(message);
    } catch (Exception e) {
      json = null;
    }
    if (json == null || !json.isObject() || !json.has("status")) {
      return new ValidationOutcome(false, null, null, null,
          message == null || message.isBlank() ? "the validator ended without a result" : message.strip());
    }
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
