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

  @JsonPropertyDescription("Running, Promoted, Rejected (a gate failed) or Failed.")
  private String outcome;
}
