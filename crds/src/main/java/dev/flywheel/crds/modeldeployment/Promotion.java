package dev.flywheel.crds.modeldeployment;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.List;
import lombok.Data;

/** How a retrained version becomes the served one. */
@Data
public class Promotion {
  @Default("false")
  @JsonPropertyDescription("Promote a retrained version that passes the gates to the deployment's stage without a person.")
  private Boolean auto;

  @Size(max = 16)
  @ValidationRule(value = "self.all(g, self.exists_one(h, h.metric == g.metric))", message = "each metric may have one gate")
  @JsonPropertyDescription("Minimum or maximum values of the new version's evaluation metrics.")
  private List<Gate> gates;

  @Default("true")
  @JsonPropertyDescription("The new version must score at least as well as the current one on every gated metric.")
  private Boolean mustBeatCurrent;
}
