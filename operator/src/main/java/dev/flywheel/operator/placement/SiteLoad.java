package dev.flywheel.operator.placement;

import dev.flywheel.crds.trainingjob.TrainingJob;
import dev.flywheel.crds.trainingjob.TrainingPhase;
import io.fabric8.kubernetes.api.model.batch.v1.JobStatus;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.HashMap;
import java.util.Map;

/**
 * How much training runs at each Site: TrainingJobs placed there (a trainer Job created) and not finished, as
 * their status says — the same count for this cluster's node pools and for remote clusters.
 */
public final class SiteLoad {
  private SiteLoad() {}

  public static Map<String, Integer> runningTrainingJobs(KubernetesClient client) {
    Map<String, Integer> running = new HashMap<>();
    for (TrainingJob job : client.resources(TrainingJob.class).inAnyNamespace().list().getItems()) {
      var status = job.getStatus();
      boolean active = status != null && status.getSite() != null && status.getJobName() != null
          && status.getPhase() != TrainingPhase.Succeeded && status.getPhase() != TrainingPhase.Failed;
      if (active) {
        running.merge(status.getSite(), 1, Integer::sum);
      }
    }
    return running;
  }

  public static boolean hasCondition(JobStatus status, String type) {
    return status != null && status.getConditions() != null
        && status.getConditions().stream().anyMatch(c -> type.equals(c.getType()) && "True".equals(c.getStatus()));
  }
}
