package dev.flywheel.crds.modeldeployment;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import lombok.Data;

/** A bound on one evaluation metric that a version must meet to be promoted. */
@Data
@ValidationRule(value = "has(self.max) || has(self.min)", message = "a gate needs min, max or both")
public class Gate {
  @Required
  @Size(min = 1, max = 63)
  @JsonPropertyDescription("Name of the metric, as in ModelVersion spec.metrics (for example auc, rmse).")
  private String metric;

  @JsonPropertyDescription("The version passes only if the metric is at least this.")
  private Double min;

  @JsonPropertyDescription("The version passes only if the metric is at most this.")
  private Double max;
}
