package dev.flywheel.crds.site;

import com.fasterxml.jackson.annotation.JsonClassDescription;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import dev.flywheel.crds.common.Condition;
import java.util.ArrayList;
import java.util.List;
import lombok.Data;

/** What the operator observed of a Site: whether it answers and how much Flywheel work runs there. */
@JsonClassDescription("What the operator observed of this Site: whether it answers and how much Flywheel work runs there.")
@Data
public class SiteStatus {
  @JsonPropertyDescription("The metadata.generation the status describes.")
  private Long observedGeneration;

  @JsonPropertyDescription("Reachable and Ready conditions, each with a reason.")
  private List<Condition> conditions = new ArrayList<>();

  @JsonPropertyDescription("TrainingJobs running at this site.")
  private Integer runningTrainingJobs;

  @JsonPropertyDescription("Model-server Deployments at this site.")
  private Integer runningDeployments;

  @JsonPropertyDescription("When the site was last probed (RFC 3339).")
  private String lastProbeTime;
}
