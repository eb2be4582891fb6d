package dev.flywheel.crds.modelversion;

import com.fasterxml.jackson.annotation.JsonClassDescription;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import dev.flywheel.crds.common.Condition;
import java.util.ArrayList;
import java.util.List;
import lombok.Data;

/** What the operator observed of a ModelVersion: validation and stage. */
@JsonClassDescription("What the operator observed of this ModelVersion: phase and conditions, the validation result and the stage reached.")
@Data
public class ModelVersionStatus {
  @JsonPropertyDescription("Registered, Validating, Validated, Invalid, Staging, Production or Archived.")
  private String phase;

  @JsonPropertyDescription("Validated and Ready conditions, each with a reason.")
  private List<Condition> conditions = new ArrayList<>();

  @JsonPropertyDescription("The metadata.generation the status describes.")
  private Long observedGeneration;

  @JsonPropertyDescription("Result of the last validation run.")
  private ValidationResult validation;

  @JsonPropertyDescription("When this version last entered its current stage (RFC 3339).")
  private String promotedAt;

  @JsonPropertyDescription("Effective stage: spec.stage once allowed (only a validated version is Staging or Production), Archived when a more recent promotion superseded this version's Production request.")
  private Stage stage;
}
