package dev.flywheel.crds.trainingjob;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;
import lombok.Data;

/** Where a TrainingJob may run. */
@Data
public class Placement {
  @Default("auto")
  @Size(max = 253)
  @Pattern("^(auto|[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*)$")
  @JsonPropertyDescription("Name of the Site to run on, or auto: the highest-priority Site that allows the data's classification and has room; burst Sites only when the others are full.")
  private String site;
}
