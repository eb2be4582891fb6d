package dev.flywheel.operator.retraining;

import dev.flywheel.crds.common.ConditionStatus;
import dev.flywheel.crds.common.Durations;
import dev.flywheel.crds.modeldeployment.LastRetrain;
import dev.flywheel.crds.modeldeployment.ModelDeployment;
import dev.flywheel.crds.modeldeployment.ModelDeploymentStatus;
import dev.flywheel.crds.modeldeployment.Retraining;
import dev.flywheel.crds.modeldeployment.Trigger;
import dev.flywheel.crds.modeldeployment.TriggerStatus;
import dev.flywheel.crds.modelversion.ModelVersion;
import dev.flywheel.crds.modelversion.Stage;
import dev.flywheel.crds.trainingjob.TrainingJob;
import dev.flywheel.operator.OperatorSettings;
import dev.flywheel.operator.common.Conditions;
import dev.flywheel.operator.common.EventRecorder;
import dev.flywheel.operator.common.Labels;
import dev.flywheel.operator.common.StatusUpdates;
import dev.flywheel.operator.common.Timestamps;
import dev.flywheel.operator.metrics.MetricsSource;
import dev.flywheel.operator.metrics.PrometheusEndpoint;
import dev.flywheel.operator.metrics.QueryResult;
import dev.flywheel.operator.metrics.QueryTemplate;
import dev.flywheel.operator.serving.AnalysisRunner;
import dev.flywheel.operator.serving.PrometheusEndpoints;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import jakarta.enterprise.context.ApplicationScoped;
import dev.flywheel.operator.telemetry.OperatorMetrics;
import jakarta.inject.Inject;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Closes the loop for one ModelDeployment: follows its latest retrain (training, validation, the promotion gates,
 * promotion of the version it registered), evaluates the triggers on their interval against Prometheus, and starts
 * exactly one TrainingJob when a firing trigger is allowed to (see {@link RetrainPolicy}). Writes status.triggers,
 * lastRetrain, retrainsToday and the Retraining condition; returns when to look again.
 */
@ApplicationScoped
public class Retrainer {
  public static final String RETRAINING = "Retraining";
  /** How long a TrainingJob just created may be missing from the informer cache before it counts as gone. */
  static final Duration CACHE_GRACE = Duration.ofMinutes(2);

  @Inject
  MetricsSource metrics;

  @Inject
  OperatorSettings settings;

  @Inject
  Clock clock;

  @Inject
  EventRecorder events;

  @Inject
  OperatorMetrics operatorMetrics;

  @Inject
  Promoter promoter;

  /**
   * What one pass knows, all from informer caches.
   *
   * @param retrainJobs this deployment's retraining TrainingJobs
   * @param versions the namespace's ModelVersions by name
   * @param sites every Site (where a comparison Job may run)
   * @param jobs the namespace's comparison Jobs by name
   * @param rolloutRunning whether a canary or a rolling update is in progress
   */
  public record Inputs(
      KubernetesClient client,
      ModelDeployment deployment,
      List<TrainingJob> retrainJobs,
      Map<String, ModelVersion> versions,
      List<dev.flywheel.crds.site.Site> sites,
      java.util.function.Function<String, Optional<io.fabric8.kubernetes.api.model.batch.v1.Job>> jobs,
      boolean rolloutRunning,
      Instant now) {}

  public Optional<Duration> reconcile(Inputs in, ModelDeploymentStatus status) {
    KubernetesClient client = in.client();
    ModelDeployment deployment = in.deployment();
    List<TrainingJob> retrainJobs = in.retrainJobs();
    boolean rolloutRunning = in.rolloutRunning();
    Instant now = in.now();
    Retraining retraining = deployment.getSpec().getRetraining();
    Long generation = deployment.getMetadata().getGeneration();
    if (retraining == null) {
      status.setTriggers(null);
      status.setTriggersEvaluatedAt(null);
      Conditions.set(status.getConditions(), RETRAINING, ConditionStatus.False, "NotConfigured", "spec.retraining is not set", generation, clock);
      return Optional.empty();
    }
    List<Instant> started = new ArrayList<>(retrainJobs.stream().map(RetrainJobBuilder::startedAt).flatMap(Optional::stream).toList());
    Optional.ofNullable(status.getLastRetrain()).map(LastRetrain::getTime).flatMap(Timestamps::parse)
        .filter(t -> !started.contains(t)).ifPresent(started::add); // a deleted TrainingJob lifts neither cooldown nor budget
    status.setRetrainsToday((int) RetrainPolicy.retrainsToday(started, now));
    boolean retrainRunning = followLatest(in, status);

    Duration interval = interval(deployment);
    Optional<Instant> evaluated = Timestamps.parse(status.getTriggersEvaluatedAt());
    boolean hasTriggers = retraining.getTriggers() != null && !retraining.getTriggers().isEmpty();
    boolean due = hasTriggers && status.getCurrentVersion() != null
        && (evaluated.isEmpty() || evaluated.get().isAfter(now) || !now.isBefore(evaluated.get().plus(interval)));
    if (due) {
      evaluate(client, deployment, status, now, rolloutRunning);
    }
    List<TriggerStatus> triggers = status.getTriggers() == null ? List.of() : status.getTriggers();
    RetrainPolicy.Decision decision = RetrainPolicy.decide(retraining, triggers, started, retrainRunning, rolloutRunning, now);
    if (due && decision.start().isPresent()) {
      retrainRunning = start(client, deployment, status, decision, started, now);
    }
    if (retrainRunning) {
      LastRetrain last = status.getLastRetrain();
      Conditions.set(status.getConditions(), RETRAINING, ConditionStatus.True, last.getOutcome(), "retrain " + last.getTrainingJob() + " ("
          + last.getReason() + "): " + (last.getMessage() != null ? last.getMessage() : last.getOutcome()), generation, clock);
    } else {
      Conditions.set(status.getConditions(), RETRAINING, ConditionStatus.False, decision.reason(), decision.message(), generation, clock);
    }
    Instant next = Timestamps.parse(status.getTriggersEvaluatedAt()).map(t -> t.plus(interval)).orElse(now.plus(interval));
    return Optional.of(next.isAfter(now) ? Duration.between(now, next) : Duration.ZERO);
  }

  /** Trigger evaluation never runs faster than Prometheus scrapes the model servers. */
  private Duration interval(ModelDeployment deployment) {
    Duration interval = settings.retraining().interval();
    String scrape = deployment.getSpec().getMonitoring() == null ? null : deployment.getSpec().getMonitoring().getScrapeInterval();
    Duration scrapeInterval = Durations.parse(scrape == null ? "15s" : scrape); // the CRD's default scrape interval
    return scrapeInterval.compareTo(interval) > 0 ? scrapeInterval : interval;
  }

  private void evaluate(KubernetesClient client, ModelDeployment deployment, ModelDeploymentStatus status, Instant now, boolean rolloutRunning) {
    Map<String, String> values = QueryTemplate.placeholders(deployment, status.getCurrentVersion());
    PrometheusEndpoint endpoint;
    Optional<String[]> unavailable = Optional.empty();
    try {
      endpoint = PrometheusEndpoints.of(client, deployment, settings);
    } catch (IllegalArgumentException | KubernetesClientException e) {
      endpoint = null;
      unavailable = Optional.of(new String[] {"CredentialsUnavailable", e.getMessage()});
    }
    List<TriggerStatus> next = new ArrayList<>();
    for (Trigger trigger : deployment.getSpec().getRetraining().getTriggers() == null ? List.<Trigger>of()
        : deployment.getSpec().getRetraining().getTriggers()) {
      QueryResult result;
      if (endpoint == null) {
        result = QueryResult.queryError(unavailable.get()[1]);
      } else {
        try {
          result = metrics.query(endpoint, QueryTemplate.fill(TriggerQueries.of(trigger), values));
        } catch (IllegalArgumentException e) {
          result = QueryResult.queryError(e.getMessage());
        }
      }
      if (!result.available() && unavailable.isEmpty()) {
        unavailable = Optional.of(new String[] {AnalysisRunner.unavailableReason(result.outcome()), "trigger " + trigger.getName() + ": " + result.message()});
      }
      // A condition held by the previous version does not count for a newly promoted one: its clock starts over.
      Optional<TriggerStatus> previous = status.getTriggers() == null ? Optional.empty()
          : status.getTriggers().stream().filter(t -> trigger.getName().equals(t.getName()))
              .filter(t -> status.getCurrentVersion().equals(t.getVersion())).findFirst();
      TriggerStatus evaluated = TriggerEvaluator.evaluate(trigger, previous, result, now);
      evaluated.setVersion(status.getCurrentVersion());
      next.add(evaluated);
      operatorMetrics.trigger(deployment.getMetadata().getNamespace(), deployment.getMetadata().getName(), trigger.getName(), evaluated.getValue(),
          Boolean.TRUE.equals(evaluated.getFiring()));
    }
    status.setTriggers(next);
    status.setTriggersEvaluatedAt(Timestamps.format(now));
    Long generation = deployment.getMetadata().getGeneration();
    if (rolloutRunning) {
      return; // the rollout's analysis owns MetricsAvailable while it runs
    }
    if (unavailable.isPresent()) {
      Conditions.set(status.getConditions(), "MetricsAvailable", ConditionStatus.False, unavailable.get()[0],
          unavailable.get()[1] + "; no trigger fires while metrics are unavailable", generation, clock);
    } else {
      Conditions.set(status.getConditions(), "MetricsAvailable", ConditionStatus.True, "Measured", "every trigger query answered", generation, clock);
    }
  }

  /** Starts the retrain of this firing; returns whether one runs (false when the API refused the TrainingJob). */
  private boolean start(KubernetesClient client, ModelDeployment deployment, ModelDeploymentStatus status, RetrainPolicy.Decision decision,
      List<Instant> started, Instant now) {
    TriggerStatus firing = decision.start().get();
    String reason = "trigger " + firing.getName() + " = " + firing.getValue() + " since " + firing.getSince();
    Optional<Instant> previous = started.stream().max(Instant::compareTo);
    TrainingJob job = RetrainJobBuilder.build(deployment, firing, reason, previous, now);
    String name = job.getMetadata().getName();
    try {
      client.resource(job).create();
      events.normal(client, deployment, "RetrainStarted", "started TrainingJob " + name + ": " + reason);
      operatorMetrics.retrain(deployment.getMetadata().getNamespace(), deployment.getMetadata().getName(), firing.getName(), OperatorMetrics.STARTED);
    } catch (KubernetesClientException e) {
      if (e.getCode() == 409) {
        // This firing's TrainingJob exists already (created by a pass whose status was lost): nothing twice.
        if (status.getLastRetrain() != null && name.equals(status.getLastRetrain().getTrainingJob())) {
          return !RetrainOutcome.FINAL.contains(status.getLastRetrain().getOutcome());
        }
      } else if (e.getCode() >= 400 && e.getCode() < 500) {
        String message = "the API refused the retraining TrainingJob " + name + ": " + StatusUpdates.describe(e);
        Conditions.set(status.getConditions(), RETRAINING, ConditionStatus.False, "TemplateRejected", message, deployment.getMetadata().getGeneration(),
            clock);
        events.warning(client, deployment, "TemplateRejected", message);
        return false;
      } else {
        throw e;
      }
    }
    LastRetrain last = new LastRetrain();
    last.setTime(Timestamps.format(now));
    last.setReason(reason);
    last.setTrainingJob(name);
    last.setOutcome(RetrainOutcome.RUNNING);
    status.setLastRetrain(last);
    status.setRetrainsToday((int) RetrainPolicy.retrainsToday(started, now) + 1);
    return true;
  }

  /** Follows the latest retrain to its outcome; returns whether it is still running (training, validating, comparing). */
  private boolean followLatest(Inputs in, ModelDeploymentStatus status) {
    KubernetesClient client = in.client();
    ModelDeployment deployment = in.deployment();
    Optional<TrainingJob> latest = in.retrainJobs().stream().max(Comparator.comparing((TrainingJob j) -> RetrainJobBuilder.startedAt(j).orElse(Instant.EPOCH)));
    LastRetrain last = status.getLastRetrain();
    boolean lastIsNewer = last != null && last.getTrainingJob() != null && (latest.isEmpty()
        || !last.getTrainingJob().equals(latest.get().getMetadata().getName())
            && Timestamps.parse(last.getTime()).orElse(Instant.EPOCH).isAfter(RetrainJobBuilder.startedAt(latest.get()).orElse(Instant.EPOCH)));
    if (lastIsNewer) {
      // Just created and not in the cache yet (it runs), or deleted since (it ended): never re-decide an older one.
      boolean justCreated = Timestamps.parse(last.getTime()).map(t -> t.plus(CACHE_GRACE).isAfter(in.now())).orElse(false);
      if (!justCreated && !RetrainOutcome.FINAL.contains(last.getOutcome())) {
        last.setOutcome(RetrainOutcome.FAILED);
        last.setMessage("TrainingJob " + last.getTrainingJob() + " is gone");
      }
      return justCreated && !RetrainOutcome.FINAL.contains(last.getOutcome());
    }
    if (latest.isEmpty()) {
      return false;
    }
    TrainingJob job = latest.get();
    if (last == null || !job.getMetadata().getName().equals(last.getTrainingJob())) {
      // Rebuilt from the TrainingJob itself when the status was lost.
      last = new LastRetrain();
      last.setTime(RetrainJobBuilder.startedAt(job).map(Timestamps::format).orElse(job.getMetadata().getCreationTimestamp()));
      last.setReason(job.getMetadata().getAnnotations() == null ? null : job.getMetadata().getAnnotations().get(RetrainJobBuilder.REASON));
      last.setTrainingJob(job.getMetadata().getName());
      last.setOutcome(RetrainOutcome.RUNNING);
      status.setLastRetrain(last);
    }
    if (RetrainOutcome.decided(last, job)) {
      return false;
    }
    String registered = job.getStatus() == null ? null : job.getStatus().getModelVersion();
    RetrainOutcome.Progress progress = RetrainOutcome.of(job, Optional.ofNullable(registered).map(in.versions()::get));
    last.setModelVersion(registered);
    last.setOutcome(progress.outcome());
    last.setMessage(progress.message());
    String trigger = job.getMetadata().getLabels() == null ? "" : job.getMetadata().getLabels().getOrDefault(RetrainJobBuilder.TRIGGER, "");
    String namespace = deployment.getMetadata().getNamespace();
    if (RetrainOutcome.FAILED.equals(progress.outcome())) {
      events.warning(client, deployment, "RetrainFailed", "TrainingJob " + job.getMetadata().getName() + " failed: " + progress.message());
      operatorMetrics.retrain(namespace, deployment.getMetadata().getName(), trigger, OperatorMetrics.FAILED);
    } else if (RetrainOutcome.REJECTED.equals(progress.outcome())) {
      events.warning(client, deployment, "PromotionRefused", progress.message());
      operatorMetrics.retrain(namespace, deployment.getMetadata().getName(), trigger, OperatorMetrics.REJECTED);
      operatorMetrics.promotionRefused(namespace, deployment.getMetadata().getName(), "validation");
    } else if (progress.validated().isPresent()) {
      boolean running = promoter.decide(in, status, last, job, progress.validated().get());
      if (RetrainOutcome.PROMOTED.equals(last.getOutcome())) {
        operatorMetrics.retrain(namespace, deployment.getMetadata().getName(), trigger, OperatorMetrics.PROMOTED);
      } else if (RetrainOutcome.REJECTED.equals(last.getOutcome())) {
        operatorMetrics.retrain(namespace, deployment.getMetadata().getName(), trigger, OperatorMetrics.REJECTED);
      }
      return running;
    }
    return progress.running();
  }
}
