package dev.flywheel.crds.modelversion;

import com.fasterxml.jackson.annotation.JsonProperty;

/** Formats of model weights that the model server loads. */
public enum ArtifactFormat {
  @JsonProperty("flywheel-mlp")
  FLYWHEEL_MLP,
  @JsonProperty("onnx")
  ONNX,
  @JsonProperty("torchscript")
  TORCHSCRIPT
}
