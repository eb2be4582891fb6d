package dev.flywheel.operator.placement;

import dev.flywheel.operator.common.Labels;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobStatus;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.HashMap;
import java.util.Map;

/** How much Flywheel training work is running at each Site: trainer Jobs that have not finished, by site label. */
public final class SiteLoad {
  private SiteLoad() {}

  public static Map<String, Integer> runningTrainingJobs(KubernetesClient client) {
    Map<String, Integer> running = new HashMap<>();
    for (Job job : client.batch().v1().jobs().inAnyNamespace().withLabel(Labels.MANAGED_BY, Labels.OPERATOR)
        .withLabel(Labels.COMPONENT, Labels.TRAINING).list().getItems()) {
      String site = job.getMetadata().getLabels() == null ? null : job.getMetadata().getLabels().get(Labels.SITE);
      if (site != null && !finished(job.getStatus())) {
        running.merge(site, 1, Integer::sum);
      }
    }
    return running;
  }

  /** Whether a Job has succeeded or failed for good. */
  public static boolean finished(JobStatus status) {
    return status != null && ((status.getSucceeded() != null && status.getSucceeded() > 0) || hasCondition(status, "Failed") || hasCondition(status, "Complete"));
  }

  public static boolean hasCondition(JobStatus status, String type) {
    return status != null && status.getConditions() != null
        && status.getConditions().stream().anyMatch(c -> type.equals(c.getType()) && "True".equals(c.getStatus()));
  }
}
