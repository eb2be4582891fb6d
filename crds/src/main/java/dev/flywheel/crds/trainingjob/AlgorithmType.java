package dev.flywheel.crds.trainingjob;

import com.fasterxml.jackson.annotation.JsonProperty;

/** Algorithm families the trainer implements. */
public enum AlgorithmType {
  @JsonProperty("mlp")
  MLP
}
