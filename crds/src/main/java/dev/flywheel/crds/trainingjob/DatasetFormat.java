package dev.flywheel.crds.trainingjob;

import com.fasterxml.jackson.annotation.JsonProperty;

/** File formats the trainer reads. */
public enum DatasetFormat {
  @JsonProperty("csv")
  CSV
}
