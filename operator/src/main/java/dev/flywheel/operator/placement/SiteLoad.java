package dev.flywheel.operator.placement;

import dev.flywheel.crds.trainingjob.TrainingJob;
import dev.flywheel.crds.trainingjob.TrainingPhase;
import io.fabric8.kubernetes.api.model.batch.v1.JobStatus;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Stream;

/**
 * How much training runs at each Site: TrainingJobs placed there (a trainer Job created) and not finished, as
 * their status says — the same count for this cluster's node pools and for remote clusters.
 */
public final class SiteLoad {
  private SiteLoad() {}

  /** @param trainingJobs every TrainingJob, from an informer cache */
  public static Map<String, Integer> runningTrainingJobs(Stream<TrainingJob> trainingJobs) {
    Map<String, Integer> running = new HashMap<>();
    for (TrainingJob job : (Iterable<TrainingJob>) trainingJobs::iterator) {
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
