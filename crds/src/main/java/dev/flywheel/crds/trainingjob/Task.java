package dev.flywheel.crds.trainingjob;

import com.fasterxml.jackson.annotation.JsonProperty;

/** The kind of prediction a model makes. */
public enum Task {
  @JsonProperty("binaryClassification")
  BINARY_CLASSIFICATION,
  @JsonProperty("multiclassClassification")
  MULTICLASS_CLASSIFICATION,
  @JsonProperty("regression")
  REGRESSION
}
