package dev.flywheel.crds.modeldeployment;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import lombok.Data;

/** The most recent retraining a deployment started. */
@Data
public class LastRetrain {
  @JsonPropertyDescription("When it started (RFC 3339).")
  private String time;

  @JsonPropertyDescription("Which trigger fired, with its value.")
  private String reason;

  @JsonPropertyDescription("Name of the TrainingJob it created.")
  private String trainingJob;

  @JsonPropertyDescription("Running (training), Validating (its version is validated), Comparing (both versions are scored on the holdout data), Promoted, Registered (validated and within the gates, promotion left to a person: promotion.auto is off or the deployment pins a version), Rejected (validation or a gate failed) or Failed (training failed).")
  private String outcome;

  @JsonPropertyDescription("The ModelVersion the retrain registered.")
  private String modelVersion;

  @JsonPropertyDescription("Why it ended as it did: the gates' numbers, or the training failure.")
  private String message;

  @JsonPropertyDescription("The retrained version's metrics on promotion.holdoutUris.")
  private java.util.Map<String, Double> candidateMetrics;

  @JsonPropertyDescription("The current version's metrics on the same rows.")
  private java.util.Map<String, Double> currentMetrics;
}
