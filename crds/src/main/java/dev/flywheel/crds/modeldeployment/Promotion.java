package dev.flywheel.crds.modeldeployment;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.List;
import dev.flywheel.crds.common.Patterns;
import io.fabric8.generator.annotation.Pattern;
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
  @JsonPropertyDescription("The new version must score at least as well as the current one on every gated metric: on holdoutUris when given (both versions scored on the same rows by a comparison Job), else on their own evaluation metrics.")
  private Boolean mustBeatCurrent;

  @Size(max = 8)
  @JsonPropertyDescription("Fresh labelled data (CSV files or directories of shards ending in /, for example the capture directory) that the retrained and the current version are both scored on before mustBeatCurrent decides; it must be allowed to hold the model's data classification like any training data.")
  private List<@Pattern(Patterns.DATA_URI) String> holdoutUris;
}
