package dev.flywheel.crds.modelversion;

import com.fasterxml.jackson.annotation.JsonClassDescription;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import dev.flywheel.crds.common.DataClassification;
import dev.flywheel.crds.common.Patterns;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.Map;
import lombok.Data;

/** The artifact, provenance and desired stage of one model version; all but stage and description is immutable. */
@JsonClassDescription("The artifact, provenance and desired stage of this model version; all but stage and description is immutable.")
@Data
@ValidationRule(value = "self.model == oldSelf.model", message = "model is immutable", fieldPath = ".model")
@ValidationRule(value = "self.version == oldSelf.version", message = "version is immutable", fieldPath = ".version")
@ValidationRule(value = "self.artifact == oldSelf.artifact", message = "artifact is immutable: register a new ModelVersion instead", fieldPath = ".artifact")
@ValidationRule(
    value = "has(self.classification) == has(oldSelf.classification) && (!has(self.classification) || self.classification == oldSelf.classification)",
    message = "classification is immutable",
    fieldPath = ".classification")
@ValidationRule(
    value = "has(self.metrics) == has(oldSelf.metrics) && (!has(self.metrics) || self.metrics == oldSelf.metrics)",
    message = "metrics are immutable",
    fieldPath = ".metrics")
@ValidationRule(
    value = "has(self.lineage) == has(oldSelf.lineage) && (!has(self.lineage) || self.lineage == oldSelf.lineage)",
    message = "lineage is immutable",
    fieldPath = ".lineage")
public class ModelVersionSpec {
  @Required
  @Size(max = 63)
  @Pattern(Patterns.DNS_LABEL)
  @JsonPropertyDescription("Name of the model this is a version of (for example churn).")
  private String model;

  @Required
  @Min(1)
  @JsonPropertyDescription("Version number, monotonic per model, starting at 1.")
  private Integer version;

  @Required
  @JsonPropertyDescription("The model bundle: where it is, its digest and its format.")
  private Artifact artifact;

  @Default("internal")
  @JsonPropertyDescription("Classification inherited from the training data: public, internal or restricted. Serving respects the same Site rules as training.")
  private DataClassification classification;

  @JsonPropertyDescription("Evaluation metrics of this version (name to number), for example accuracy, auc, f1, rmse.")
  private Map<String, Double> metrics;

  @JsonPropertyDescription("Where this version came from: the training job, data, seed, hyperparameters and image.")
  private Lineage lineage;

  @Default("None")
  @JsonPropertyDescription("Desired stage: None, Staging, Production or Archived; status.stage is the effective one. Only a validated version can be Staging or Production; when several versions of a model ask for Production, the most recent promotion wins and the others are effectively Archived (reason Superseded) without their spec being edited.")
  private Stage stage;

  @Size(max = 1024)
  @JsonPropertyDescription("Free text for people: what changed, why it exists.")
  private String description;
}
