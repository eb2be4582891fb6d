package dev.flywheel.crds.common;

import com.fasterxml.jackson.annotation.JsonProperty;

/** How sensitive data is; a Site lists the classifications it may hold, and a model inherits its data's. */
public enum DataClassification {
  @JsonProperty("public")
  PUBLIC,
  @JsonProperty("internal")
  INTERNAL,
  @JsonProperty("restricted")
  RESTRICTED
}
