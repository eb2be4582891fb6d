package dev.flywheel.crds.modeldeployment;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import dev.flywheel.crds.common.Patterns;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import lombok.Data;

/** One metric condition that starts retraining when it holds for a while. */
@Data
@ValidationRule(
    value = "self.type == 'promql' ? has(self.query) : !has(self.query)",
    message = "a promql trigger needs a query, and other trigger types must not set one",
    fieldPath = ".query")
public class Trigger {
  @Required
  @Size(max = 63)
  @Pattern(Patterns.DNS_LABEL)
  @JsonPropertyDescription("Name of the trigger, shown in status, events and the retrain reason.")
  private String name;

  @Required
  @JsonPropertyDescription("drift: largest feature or prediction PSI; accuracy: online accuracy from feedback (fires below threshold); errorRate: share of failed requests; latency: p99 seconds; promql: your own query.")
  private TriggerType type;

  @Size(min = 1, max = 4096)
  @JsonPropertyDescription("PromQL expression returning one number; only for type promql. {{version}}, {{model}} and {{namespace}} are replaced.")
  private String query;

  @Required
  @JsonPropertyDescription("Value that fires the trigger: above it for drift, errorRate, latency and promql; below it for accuracy.")
  private Double threshold;

  @Default("5m")
  @Pattern(Patterns.DURATION)
  @JsonPropertyDescription("How long the condition must hold before the trigger fires, as a duration.")
  @JsonProperty("for")
  private String forDuration;
}
