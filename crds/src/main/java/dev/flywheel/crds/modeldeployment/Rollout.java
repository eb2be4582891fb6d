package dev.flywheel.crds.modeldeployment;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import dev.flywheel.crds.common.Patterns;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.List;
import lombok.Data;

/** How a new model version replaces the one being served. */
@Data
@ValidationRule(
    value = "self.strategy != 'Canary' || (has(self.steps) && size(self.steps) > 0)",
    message = "a Canary rollout needs at least one step",
    fieldPath = ".steps")
@ValidationRule(
    value = "!has(self.steps) || self.steps.map(s, s.weight).isSorted() && self.steps.all(a, self.steps.exists_one(b, b.weight == a.weight))",
    message = "canary step weights must be strictly increasing",
    fieldPath = ".steps")
@ValidationRule(
    value = "!has(self.analysis) || self.analysis.all(a, self.analysis.exists_one(b, b.name == a.name))",
    message = "analysis names must be unique",
    fieldPath = ".analysis")
public class Rollout {
  @Default("RollingUpdate")
  @JsonPropertyDescription("RollingUpdate: replace pods gradually. Canary: send a growing share of traffic to the new version, step by step, checking the analysis queries.")
  private RolloutStrategy strategy;

  @Size(max = 10)
  @JsonPropertyDescription("Canary steps: the traffic weight for the new version and how long to hold it.")
  private List<CanaryStep> steps;

  @Size(max = 10)
  @JsonPropertyDescription("PromQL checks run at every step; a failed check stops the rollout.")
  private List<AnalysisQuery> analysis;

  @Default("true")
  @JsonPropertyDescription("Return all traffic to the previous version when an analysis check fails.")
  private Boolean autoRollback;

  @Default("30s")
  @Pattern(Patterns.DURATION)
  @JsonPropertyDescription("Time between two measurement rounds of the analysis queries, once a step's pause has passed.")
  private String analysisInterval;

  @Default("1")
  @Min(1)
  @Max(100)
  @JsonPropertyDescription("Successful measurement rounds (every query within its bounds) a step needs before the next step.")
  private Integer analysisCount;

  @Default("0")
  @Min(0)
  @Max(100)
  @JsonPropertyDescription("Failed rounds a step tolerates; one more fails the analysis (rolled back with autoRollback, held otherwise). Inconclusive rounds (no data, NaN, Prometheus unavailable) never count as success: they hold the step.")
  private Integer failureLimit;

  @JsonPropertyDescription("A Gateway API Gateway: the operator then owns an HTTPRoute whose backend weights are exactly the canary step weights (a Service per version). Without one, the weight is a share of replicas.")
  private GatewayReference gatewayRef;
}
