package dev.flywheel.crds.modelversion;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.Map;
import lombok.Data;

/** The outcome of validating a model version's artifact. */
@Data
public class ValidationResult {
  @JsonPropertyDescription("When the validation finished (RFC 3339).")
  private String time;

  @JsonPropertyDescription("Digest computed from the stored bundle.")
  private String observedDigest;

  @JsonPropertyDescription("Whether the computed digest equals spec.artifact.digest.")
  private Boolean digestMatch;

  @JsonPropertyDescription("Whether the model loaded and answered a smoke inference.")
  private Boolean smokeTestPassed;

  @JsonPropertyDescription("Result of each promotion gate (metric name to passed).")
  private Map<String, Boolean> gates;

  @JsonPropertyDescription("Why validation failed, when it did.")
  private String message;
}
