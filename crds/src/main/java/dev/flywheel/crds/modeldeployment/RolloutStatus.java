package dev.flywheel.crds.modeldeployment;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.ArrayList;
import java.util.List;
import lombok.Data;

/** Where a canary rollout stands, kept in status so that an operator restart neither repeats nor skips a step. */
@Data
public class RolloutStatus {
  @JsonPropertyDescription("ModelVersion being rolled out.")
  private String version;

  @JsonPropertyDescription("Index of the current canary step, from 0.")
  private Integer step;

  @JsonPropertyDescription("When the current step started (RFC 3339); its pause is counted from here.")
  private String stepStartedAt;

  @JsonPropertyDescription("Scaling (the step's canary pods start), Pausing (its pause runs), Analyzing (measurements are taken), Inconclusive (held: no data, NaN or Prometheus unavailable), Failed (analysis failed, held without autoRollback), RolledBack or Promoted.")
  private String phase;

  @JsonPropertyDescription("Successful measurement rounds in the current step.")
  private Integer successes;

  @JsonPropertyDescription("Failed measurement rounds in the current step.")
  private Integer failures;

  @JsonPropertyDescription("When analysis last measured (RFC 3339); the next round is due one analysisInterval later.")
  private String lastMeasuredAt;

  @JsonPropertyDescription("The last measurement of each analysis query.")
  private List<AnalysisMeasurement> analysis = new ArrayList<>();

  @JsonPropertyDescription("A version whose canary was rolled back; it is not rolled out again until the wanted version changes.")
  private String rejectedVersion;
}
