package dev.flywheel.crds.modeldeployment;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import dev.flywheel.crds.common.Patterns;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import lombok.Data;

/** A PromQL check with a bound that a canary must satisfy. */
@Data
@ValidationRule(value = "has(self.max) || has(self.min)", message = "an analysis check needs max, min or both")
public class AnalysisQuery {
  @Required
  @Size(max = 63)
  @Pattern(Patterns.DNS_LABEL)
  @JsonPropertyDescription("Name of the check, shown in status and events.")
  private String name;

  @Required
  @Size(min = 1, max = 4096)
  @JsonPropertyDescription("PromQL expression that returns one number. {{version}} (the canary ModelVersion), {{model}}, {{namespace}} and {{deployment}} are replaced before it runs.")
  private String query;

  @JsonPropertyDescription("The check fails when the value is above this.")
  private Double max;

  @JsonPropertyDescription("The check fails when the value is below this.")
  private Double min;
}
