package dev.flywheel.crds.modeldeployment;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import dev.flywheel.crds.common.Patterns;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import lombok.Data;

/** One step of a canary rollout. */
@Data
public class CanaryStep {
  @Required
  @Min(1)
  @Max(100)
  @JsonPropertyDescription("Percent of traffic (1 to 100) sent to the new version during this step.")
  private Integer weight;

  @Pattern(Patterns.DURATION)
  @JsonPropertyDescription("How long to hold this step before the next, as a duration (for example 10m); analysis runs meanwhile.")
  private String pause;
}
