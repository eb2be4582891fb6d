package dev.flywheel.crds.trainingjob;

import com.fasterxml.jackson.annotation.JsonClassDescription;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import dev.flywheel.crds.common.Condition;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import lombok.Data;

/** What the operator observed of a TrainingJob. */
@JsonClassDescription("What the operator observed of this TrainingJob: phase and conditions, the site and Job it ran as, attempts, metrics and the ModelVersion it produced.")
@Data
public class TrainingJobStatus {
  @JsonPropertyDescription("Pending, Running, Succeeded or Failed.")
  private TrainingPhase phase;

  @JsonPropertyDescription("Ready, Scheduled, Succeeded and Failed conditions, each with a reason.")
  private List<Condition> conditions = new ArrayList<>();

  @JsonPropertyDescription("The metadata.generation the status describes.")
  private Long observedGeneration;

  @JsonPropertyDescription("The Site the job was placed on.")
  private String site;

  @JsonPropertyDescription("Name of the batch Job that runs the trainer.")
  private String jobName;

  @JsonPropertyDescription("When the trainer started (RFC 3339).")
  private String startTime;

  @JsonPropertyDescription("When the trainer finished (RFC 3339).")
  private String completionTime;

  @JsonPropertyDescription("Trainer pods started so far.")
  private Integer attempts;

  @JsonPropertyDescription("Evaluation metrics on the held-out split, for example accuracy, auc, f1, rmse.")
  private Map<String, Double> metrics;

  @JsonPropertyDescription("sha256 digest of the training data as read.")
  private String datasetDigest;

  @JsonPropertyDescription("Name of the ModelVersion this job produced.")
  private String modelVersion;

  @JsonPropertyDescription("Human-readable summary of the current state, for example the trainer's failure reason.")
  private String message;
}
