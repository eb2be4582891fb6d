package dev.flywheel.crds.modeldeployment;

import com.fasterxml.jackson.annotation.JsonProperty;

/** Kinds of retraining trigger. */
public enum TriggerType {
  @JsonProperty("drift")
  DRIFT,
  @JsonProperty("accuracy")
  ACCURACY,
  @JsonProperty("errorRate")
  ERROR_RATE,
  @JsonProperty("latency")
  LATENCY,
  @JsonProperty("promql")
  PROMQL
}
