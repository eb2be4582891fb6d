package dev.flywheel.crds.modeldeployment;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import lombok.Data;

/** The last measurement of one analysis query during a canary step. */
@Data
public class AnalysisMeasurement {
  @JsonPropertyDescription("Name of the analysis query.")
  private String name;

  @JsonPropertyDescription("Successful (within its bounds), Failed (outside them) or Inconclusive (no data, NaN, or Prometheus unavailable).")
  private String phase;

  @JsonPropertyDescription("The value the query returned, when it returned one.")
  private Double value;

  @JsonPropertyDescription("The bound it was held to, or why it was inconclusive.")
  private String message;

  @JsonPropertyDescription("When it was measured (RFC 3339).")
  private String time;
}
