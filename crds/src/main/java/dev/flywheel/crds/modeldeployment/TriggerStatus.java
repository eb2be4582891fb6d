package dev.flywheel.crds.modeldeployment;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import lombok.Data;

/** The last observed value of one retraining trigger. */
@Data
public class TriggerStatus {
  @JsonPropertyDescription("Name of the trigger.")
  private String name;

  @JsonPropertyDescription("Last value of the trigger's query.")
  private Double value;

  @JsonPropertyDescription("Whether the condition has held for the trigger's for duration.")
  private Boolean firing;

  @JsonPropertyDescription("Since when the condition has held (RFC 3339).")
  private String since;

  @JsonPropertyDescription("The ModelVersion the value was measured on (the stable one); a new one starts the for clock over.")
  private String version;
}
