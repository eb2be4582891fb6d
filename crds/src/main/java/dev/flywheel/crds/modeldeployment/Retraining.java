package dev.flywheel.crds.modeldeployment;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import dev.flywheel.crds.common.Patterns;
import dev.flywheel.crds.trainingjob.TrainingJobSpec;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.List;
import lombok.Data;

/** The retraining policy: which metrics fire, how often retraining may run, what to train and how to promote it. */
@Data
@ValidationRule(
    value = "!self.enabled || (has(self.template) && has(self.triggers))",
    message = "enabled retraining needs a template and at least one trigger",
    fieldPath = ".template")
@ValidationRule(
    value = "!has(self.triggers) || self.triggers.all(t, self.triggers.exists_one(u, u.name == t.name))",
    message = "trigger names must be unique",
    fieldPath = ".triggers")
@ValidationRule(
    value = "!has(self.triggers) || self.triggers.all(t, !has(t.__for__) || duration(self.cooldown) >= duration(t.__for__))",
    message = "cooldown must not be shorter than any trigger's for",
    fieldPath = ".cooldown")
public class Retraining {
  @Default("false")
  @JsonPropertyDescription("Whether firing triggers start retraining.")
  private Boolean enabled;

  @Size(min = 1, max = 16)
  @JsonPropertyDescription("Conditions on the served model's metrics that start retraining.")
  private List<Trigger> triggers;

  @Default("1h")
  @Pattern(Patterns.DURATION)
  @JsonPropertyDescription("Least time between two retrains of this deployment, as a duration; not shorter than any trigger's for.")
  private String cooldown;

  @Default("3")
  @Min(0)
  @Max(100)
  @JsonPropertyDescription("Most retrains in any 24 hours (the budget); 0 only records what would have fired.")
  private Integer maxRetrainsPerDay;

  @JsonPropertyDescription("The TrainingJob spec to run when a trigger fires; its model must equal spec.model.")
  private TrainingJobSpec template;

  @Default("{}")
  @JsonPropertyDescription("How a retrained version is promoted.")
  private Promotion promotion;
}
