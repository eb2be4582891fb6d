package dev.flywheel.sandbox.node;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobCondition;
import io.fabric8.kubernetes.api.model.batch.v1.JobConditionBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.JobStatus;
import io.fabric8.kubernetes.api.model.batch.v1.JobStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.logging.Logger;

/**
 * The Job controller: pods from the template (its labels, plus {@code job-name}, {@code batch.kubernetes.io/job-name} and
 * {@code controller-uid}, controlled by the Job), up to {@code parallelism} at a time until {@code completions} succeeded
 * (both default 1); a failed pod is replaced after the back-off (doubling per failure) until more than {@code backoffLimit}
 * (default 6) failed — with restartPolicy OnFailure the containers' restarts count as failures —, then the Job is Failed
 * with BackoffLimitExceeded; past {@code activeDeadlineSeconds} from startTime it is Failed with DeadlineExceeded. A
 * failed Job's running pods are deleted. Status: active, ready, succeeded, failed, startTime, completionTime and the
 * conditions Complete or Failed, written (whole, {@link StatusPatch}) only when it changed.
 */
final class JobController {
  private static final Logger LOG = Logger.getLogger(JobController.class.getName());

  private final NodeContext node;
  private final PodIndex pods;
  private final PodControl control;
  private final Function<String, Job> lookup;

  /** @param lookup the Job of a uid in the informers' cache (for timers), or null when it is gone */
  JobController(NodeContext node, PodIndex pods, PodControl control, Function<String, Job> lookup) {
    this.node = node;
    this.pods = pods;
    this.control = control;
    this.lookup = lookup;
  }

  void onDeleted(Job job) {
    pods.owned(job.getMetadata().getUid()).forEach(control::delete);
    pods.forgetOwner(job.getMetadata().getUid());
  }

  void reconcile(Job job) {
    String uid = job.getMetadata().getUid();
    JobStatus current = job.getStatus() == null ? new JobStatus() : job.getStatus();
    List<Pod> owned = pods.owned(uid);
    List<Pod> active = owned.stream().filter(pod -> !Pods.terminal(pod)).toList();
    if (finished(current)) {
      if (condition(current, "Failed")) {
        active.forEach(control::delete);
      }
      return;
    }
    var spec = job.getSpec();
    int completions = spec.getCompletions() == null ? 1 : spec.getCompletions();
    int parallelism = spec.getParallelism() == null ? 1 : spec.getParallelism();
    int backoffLimit = spec.getBackoffLimit() == null ? 6 : spec.getBackoffLimit();
    int succeeded = (int) owned.stream().filter(pod -> "Succeeded".equals(Pods.phase(pod))).count();
    int failed = (int) owned.stream().filter(pod -> "Failed".equals(Pods.phase(pod))).count();
    boolean onFailure = "OnFailure".equals(spec.getTemplate().getSpec().getRestartPolicy());
    int failures = failed + (onFailure ? active.stream().mapToInt(Pods::restarts).sum() : 0);
    Instant now = Instant.now();
    Instant startTime = current.getStartTime() != null ? Timestamps.parse(current.getStartTime()) : now;
    List<JobCondition> conditions = new ArrayList<>(current.getConditions() == null ? List.of() : current.getConditions());
    String completionTime = null;
    if (succeeded >= completions) {
      conditions.add(condition("Complete", null, null));
      completionTime = Timestamps.of(now);
    } else if (failures > backoffLimit) {
      conditions.add(condition("Failed", "BackoffLimitExceeded", "Job has reached the specified backoff limit"));
      active.forEach(control::delete);
    } else if (spec.getActiveDeadlineSeconds() != null
        && !now.isBefore(startTime.plusSeconds(spec.getActiveDeadlineSeconds()))) {
      conditions.add(condition("Failed", "DeadlineExceeded", "Job was active longer than specified deadline"));
      active.forEach(control::delete);
    } else {
      startPods(job, active.size(), succeeded, failed, owned, completions, parallelism);
      if (spec.getActiveDeadlineSeconds() != null) {
        wakeAt(uid, startTime.plusSeconds(spec.getActiveDeadlineSeconds()));
      }
    }
    boolean nowFinished = conditions.stream().anyMatch(c -> ("Complete".equals(c.getType()) || "Failed".equals(c.getType())) && "True".equals(c.getStatus()));
    int activeCount = nowFinished ? 0 : active.size() + pods.pendingCreations(uid);
    JobStatus status = new JobStatusBuilder(current)
        .withStartTime(Timestamps.of(startTime))
        .withActive(activeCount)
        .withReady((int) active.stream().filter(Pods::ready).count())
        .withSucceeded(succeeded)
        .withFailed(failed)
        .withCompletionTime(completionTime != null ? completionTime : current.getCompletionTime())
        .withConditions(conditions)
        .build();
    if (!Objects.equals(status, job.getStatus())) {
      write(job, status);
    }
  }

  private void startPods(Job job, int active, int succeeded, int failed, List<Pod> owned, int completions, int parallelism) {
    String uid = job.getMetadata().getUid();
    int wanted = Math.min(parallelism, completions - succeeded) - active - pods.pendingCreations(uid);
    if (wanted <= 0) {
      return;
    }
    if (failed > 0) {
      Instant lastFailure = owned.stream().filter(pod -> "Failed".equals(Pods.phase(pod))).map(Pods::finishedAt).max(Instant::compareTo).orElse(Instant.EPOCH);
      Instant retryAt = lastFailure.plus(node.settings().backoffAfter(failed));
      if (Instant.now().isBefore(retryAt)) {
        wakeAt(uid, retryAt);
        return;
      }
    }
    String name = job.getMetadata().getName();
    Map<String, String> labels = Map.of("job-name", name, "batch.kubernetes.io/job-name", name,
        "controller-uid", uid, "batch.kubernetes.io/controller-uid", uid);
    for (int i = 0; i < wanted; i++) {
      control.create(uid, Pods.fromTemplate(job.getSpec().getTemplate(), job, name, labels));
    }
  }

  private void wakeAt(String uid, Instant when) {
    long delay = Math.max(0, Duration.between(Instant.now(), when).toMillis()) + 50;
    node.loop().schedule(() -> {
      Job job = lookup.apply(uid);
      if (job != null) {
        reconcile(job);
      }
    }, delay, TimeUnit.MILLISECONDS);
  }

  private void write(Job job, JobStatus status) {
    try {
      StatusPatch.replace(node.client().batch().v1().jobs().inNamespace(job.getMetadata().getNamespace()).withName(job.getMetadata().getName()), status);
    } catch (KubernetesClientException failed) {
      if (failed.getCode() == 404) {
        return; // deleted meanwhile: its delete event follows
      }
      LOG.warning("cannot write the status of Job " + job.getMetadata().getName() + ": " + failed.getMessage());
    }
  }

  private static boolean finished(JobStatus status) {
    return condition(status, "Complete") || condition(status, "Failed");
  }

  private static boolean condition(JobStatus status, String type) {
    return status.getConditions() != null && status.getConditions().stream().anyMatch(c -> type.equals(c.getType()) && "True".equals(c.getStatus()));
  }

  private static JobCondition condition(String type, String reason, String message) {
    String now = Timestamps.now();
    return new JobConditionBuilder().withType(type).withStatus("True").withReason(reason).withMessage(message)
        .withLastProbeTime(now).withLastTransitionTime(now).build();
  }
}
