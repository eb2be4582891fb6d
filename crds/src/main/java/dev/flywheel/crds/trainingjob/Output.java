package dev.flywheel.crds.trainingjob;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import dev.flywheel.crds.common.Patterns;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import lombok.Data;

/** Where a TrainingJob writes its model bundle. */
@Data
public class Output {
  @Required
  @Size(max = 2048)
  @Pattern(Patterns.DATA_URI)
  @JsonPropertyDescription("Location for the model bundle directory, with the same schemes as dataset.uri. The bundle lands in <uri>/<model>/<trainingjob name>.")
  private String uri;
}
