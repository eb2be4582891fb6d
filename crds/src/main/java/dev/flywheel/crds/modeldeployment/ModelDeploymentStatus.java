package dev.flywheel.crds.modeldeployment;

import com.fasterxml.jackson.annotation.JsonClassDescription;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import dev.flywheel.crds.common.Condition;
import io.fabric8.kubernetes.model.annotation.LabelSelector;
import io.fabric8.kubernetes.model.annotation.StatusReplicas;
import java.util.ArrayList;
import java.util.List;
import lombok.Data;

/** What the operator observed of a ModelDeployment: versions served, replicas, trigger values, retraining. */
@JsonClassDescription("What the operator observed of this ModelDeployment: versions served, rollout, replicas, trigger values and retraining.")
@Data
public class ModelDeploymentStatus {
  @JsonPropertyDescription("The metadata.generation the status describes.")
  private Long observedGeneration;

  @JsonPropertyDescription("Ready, Progressing, Degraded, MetricsAvailable and Retraining conditions, each with a reason.")
  private List<Condition> conditions = new ArrayList<>();

  @JsonPropertyDescription("ModelVersion serving the main share of traffic.")
  private String currentVersion;

  @JsonPropertyDescription("ModelVersion being rolled out, if any.")
  private String canaryVersion;

  @JsonPropertyDescription("Percent of traffic sent to the canary version: the step weight with a Gateway, else the canary's share of ready replicas.")
  private Integer canaryWeight;

  @JsonPropertyDescription("Canary step in play, from 1.")
  private Integer canaryStep;

  @JsonPropertyDescription("The canary rollout in progress or last finished: step, its start, analysis results.")
  private RolloutStatus rollout;

  @JsonPropertyDescription("Sites the model is served from.")
  private List<String> sites;

  @StatusReplicas
  @JsonPropertyDescription("Model-server pods that exist.")
  private Integer replicas;

  @JsonPropertyDescription("Model-server pods that are ready.")
  private Integer readyReplicas;

  @LabelSelector
  @JsonPropertyDescription("Label selector of the model-server pods, for the scale subresource and HorizontalPodAutoscalers.")
  private String selector;

  @JsonPropertyDescription("In-cluster URL of the inference endpoint.")
  private String url;

  @JsonPropertyDescription("Last value of each retraining trigger.")
  private List<TriggerStatus> triggers;

  @JsonPropertyDescription("When the retraining triggers were last evaluated (RFC 3339).")
  private String triggersEvaluatedAt;

  @JsonPropertyDescription("The most recent retraining.")
  private LastRetrain lastRetrain;

  @JsonPropertyDescription("Retrains started in the last 24 hours.")
  private Integer retrainsToday;
}
