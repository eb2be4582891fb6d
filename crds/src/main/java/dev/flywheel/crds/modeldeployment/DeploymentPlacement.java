package dev.flywheel.crds.modeldeployment;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.List;
import lombok.Data;

/** Sites a model is served from. */
@Data
public class DeploymentPlacement {
  @Size(min = 1, max = 16)
  @ValidationRule(value = "self.all(s, self.exists_one(t, t == s))", message = "sites must not repeat")
  @JsonPropertyDescription("Names of Sites to serve from; each must allow the model's data classification. Replicas run at every listed site.")
  private List<String> sites;
}
