package dev.flywheel.crds.modeldeployment;

import com.fasterxml.jackson.annotation.JsonClassDescription;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import dev.flywheel.crds.common.Patterns;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.model.annotation.SpecReplicas;
import lombok.Data;

/** Which model version to serve, how, where, how to roll it out, and when to retrain it. */
@JsonClassDescription("The desired state: which model version to serve, how, where, how to roll it out, and when to retrain it.")
@Data
@ValidationRule(
    value = "has(self.version) != has(self.followStage)",
    message = "set exactly one of version (a pinned ModelVersion) or followStage",
    fieldPath = ".version")
@ValidationRule(
    value = "!has(self.retraining) || !has(self.retraining.template) || self.retraining.template.model == self.model",
    message = "retraining.template.model must equal spec.model",
    fieldPath = ".retraining.template.model")
public class ModelDeploymentSpec {
  @Required
  @Size(max = 63)
  @Pattern(Patterns.DNS_LABEL)
  @JsonPropertyDescription("Name of the model to serve (for example churn).")
  private String model;

  @Size(max = 253)
  @Pattern(Patterns.DNS_SUBDOMAIN)
  @JsonPropertyDescription("Name of the ModelVersion to serve, pinned. Exactly one of version or followStage.")
  private String version;

  @JsonPropertyDescription("Serve whichever version of the model is in this stage (Staging or Production), and roll out each new one. Exactly one of version or followStage.")
  private FollowStage followStage;

  @SpecReplicas
  @Default("1")
  @Min(0)
  @Max(1000)
  @JsonPropertyDescription("Model-server pods to run (the scale subresource: kubectl scale and a HorizontalPodAutoscaler set it).")
  private Integer replicas;

  @JsonPropertyDescription("CPU and memory for each model-server container (requests and limits).")
  private ResourceRequirements resources;

  @JsonPropertyDescription("Sites to serve from; default: this cluster.")
  private DeploymentPlacement placement;

  @Default("{}")
  @JsonPropertyDescription("Model-server settings: image, batching and limits.")
  private ServerSettings server;

  @Default("{}")
  @JsonPropertyDescription("How metrics of the served model are collected and queried.")
  private Monitoring monitoring;

  @Default("{}")
  @JsonPropertyDescription("How a new version replaces the current one.")
  private Rollout rollout;

  @JsonPropertyDescription("When to retrain the model and how to promote the result.")
  private Retraining retraining;
}
