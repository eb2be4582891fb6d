package dev.flywheel.operator.trainingjob;

import dev.flywheel.crds.common.ConditionStatus;
import dev.flywheel.crds.common.DataClassification;
import dev.flywheel.crds.modelversion.ModelVersion;
import dev.flywheel.crds.site.Site;
import dev.flywheel.crds.trainingjob.TrainingJob;
import dev.flywheel.crds.trainingjob.TrainingJobStatus;
import dev.flywheel.crds.trainingjob.TrainingPhase;
import dev.flywheel.operator.common.Caches;
import dev.flywheel.operator.common.Conditions;
import dev.flywheel.operator.common.EventRecorder;
import dev.flywheel.operator.common.Labels;
import dev.flywheel.operator.common.Names;
import dev.flywheel.operator.common.RuntimeEventSources;
import dev.flywheel.operator.common.RuntimeJob;
import dev.flywheel.operator.common.SiteTarget;
import dev.flywheel.operator.common.StatusUpdates;
import dev.flywheel.operator.common.Timestamps;
import dev.flywheel.operator.placement.PlacementDecision;
import dev.flywheel.operator.placement.SiteCandidates;
import dev.flywheel.operator.placement.SiteLoad;
import dev.flywheel.operator.placement.SitePlacement;
import dev.flywheel.operator.site.RemoteClusters;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobCondition;
import io.fabric8.kubernetes.api.model.batch.v1.JobStatus;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.api.reconciler.Cleaner;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.DeleteControl;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.ErrorStatusUpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import dev.flywheel.operator.OperatorSettings;
import dev.flywheel.operator.telemetry.OperatorMetrics;
import jakarta.inject.Inject;

/**
 * Reconciles a TrainingJob: observe its trainer Job; without one, place the job on a Site (or explain why it waits)
 * and create the Job there (this cluster or a remote one); mirror the Job into status; on success register the
 * ModelVersion from the trainer's result. Deleting a TrainingJob deletes its Job, on remote clusters too (finalizer).
 */
@ControllerConfiguration(name = "trainingjob")
public class TrainingJobReconciler implements Reconciler<TrainingJob>, Cleaner<TrainingJob> {
  static final String SCHEDULED = "Scheduled";
  static final String READY = "Ready";
  static final String SUCCEEDED = "Succeeded";
  static final String FAILED = "Failed";

  @Inject
  OperatorSettings settings;

  @Inject
  Clock clock;

  @Inject
  EventRecorder events;

  @Inject
  OperatorMetrics operatorMetrics;

  @Override
  public List<EventSource<?, TrainingJob>> prepareEventSources(EventSourceContext<TrainingJob> context) {
    return RuntimeEventSources.of(context, TrainingJob.class, Labels.TRAINING, TrainingJobReconciler::waitingForASite);
  }

  private static boolean waitingForASite(TrainingJob job) {
    return job.getStatus() == null || job.getStatus().getJobName() == null;
  }

  @Override
  public UpdateControl<TrainingJob> reconcile(TrainingJob trainingJob, Context<TrainingJob> context) {
    TrainingJobStatus stored = trainingJob.getStatus();
    trainingJob.setStatus(StatusUpdates.copyOf(stored, TrainingJobStatus::new));
    UpdateControl<TrainingJob> control = StatusUpdates.onlyIfChanged(reconcileStatus(trainingJob, context), trainingJob, stored);
    operatorMetrics.reconciled("TrainingJob", control.isNoUpdate() ? OperatorMetrics.UNCHANGED : OperatorMetrics.UPDATED);
    return control;
  }

  /** An unexpected error becomes Ready=False with reason ReconcileError (written once, not on every retry). */
  @Override
  public ErrorStatusUpdateControl<TrainingJob> updateErrorStatus(TrainingJob trainingJob, Context<TrainingJob> context, Exception error) {
    operatorMetrics.reconciled("TrainingJob", OperatorMetrics.ERROR);
    return StatusUpdates.reconcileError(trainingJob, context, error, TrainingJobStatus::new, TrainingJobStatus::getConditions, clock);
  }

  private UpdateControl<TrainingJob> reconcileStatus(TrainingJob trainingJob, Context<TrainingJob> context) {
    KubernetesClient client = context.getClient();
    TrainingJobStatus status = trainingJob.getStatus();
    if (status.getPhase() == TrainingPhase.Succeeded || status.getPhase() == TrainingPhase.Failed) {
      return UpdateControl.noUpdate();
    }
    String placedOn = status.getSite() != null ? status.getSite() : SiteTarget.recordedSite(trainingJob);
    if (placedOn == null) {
      return withGeneration(trainingJob, schedule(trainingJob, context));
    }
    status.setSite(placedOn);
    Site site = Caches.site(context, placedOn).orElse(null);
    try (SiteTarget target = SiteTarget.of(client, site, trainingJob)) {
      String jobName = Names.trainingJob(trainingJob);
      Optional<Job> job = target.findJob(context, jobName);
      if (job.isEmpty() && status.getJobName() == null && site != null) {
        // Placed (the Site is recorded) but the Job was never confirmed: the operator stopped in between.
        return withGeneration(trainingJob, createJob(trainingJob, client, site, target, "placed on Site " + placedOn));
      }
      if (job.isEmpty()) {
        return withGeneration(trainingJob, fail(trainingJob, client, "JobMissing", "the trainer Job " + jobName + " is gone from Site " + status.getSite()));
      }
      UpdateControl<TrainingJob> control = observe(trainingJob, job.get(), target, client);
      boolean finished = trainingJob.getStatus().getPhase() == TrainingPhase.Succeeded || trainingJob.getStatus().getPhase() == TrainingPhase.Failed;
      return withGeneration(trainingJob, target.remote() && !finished ? control.rescheduleAfter(settings.remote().poll()) : control);
    } catch (RemoteClusters.Unreachable e) {
      Conditions.set(status.getConditions(), READY, ConditionStatus.Unknown, "SiteUnreachable", e.getMessage(), trainingJob.getMetadata().getGeneration(), clock);
      return withGeneration(trainingJob, UpdateControl.patchStatus(trainingJob).rescheduleAfter(settings.remote().poll()));
    }
  }

  private static UpdateControl<TrainingJob> withGeneration(TrainingJob trainingJob, UpdateControl<TrainingJob> control) {
    trainingJob.getStatus().setObservedGeneration(trainingJob.getMetadata().getGeneration());
    return control;
  }

  /** Deletes the trainer Job wherever it runs; the TrainingJob goes once it is gone (or its Site is). */
  @Override
  public DeleteControl cleanup(TrainingJob trainingJob, Context<TrainingJob> context) {
    String siteName = trainingJob.getStatus() != null && trainingJob.getStatus().getSite() != null
        ? trainingJob.getStatus().getSite() : SiteTarget.recordedSite(trainingJob);
    return SiteTarget.deleteJob(context.getClient(), events, trainingJob, siteName, Caches.site(context, siteName), Names.trainingJob(trainingJob),
        settings.remote().poll());
  }

  private UpdateControl<TrainingJob> schedule(TrainingJob trainingJob, Context<TrainingJob> context) {
    KubernetesClient client = context.getClient();
    TrainingJobStatus status = trainingJob.getStatus();
    String output = trainingJob.getSpec().getOutput().getUri();
    if (output.startsWith("s3://") || output.startsWith("https://")) {
      return fail(trainingJob, client, "OutputNotSupported",
          "the trainer writes bundles to pvc:// or file:// outputs; " + output + " is not supported yet");
    }
    List<Site> sites = Caches.sites(context);
    DataClassification classification = trainingJob.getSpec().getDataset().getClassification() != null
        ? trainingJob.getSpec().getDataset().getClassification() : DataClassification.INTERNAL;
    String requested = trainingJob.getSpec().getPlacement() != null ? trainingJob.getSpec().getPlacement().getSite() : SitePlacement.AUTO;
    PlacementDecision decision = SitePlacement.place(classification, requested, SiteCandidates.of(sites, SiteLoad.runningTrainingJobs(context.getPrimaryCache().list())));
    Long generation = trainingJob.getMetadata().getGeneration();
    if (!decision.isPlaced()) {
      status.setPhase(TrainingPhase.Pending);
      status.setMessage(decision.message());
      boolean changed = Conditions.set(status.getConditions(), SCHEDULED, ConditionStatus.False, decision.reason(), decision.message(), generation, clock);
      Conditions.set(status.getConditions(), READY, ConditionStatus.False, decision.reason(), decision.message(), generation, clock);
      if (changed) {
        events.warning(client, trainingJob, decision.reason(), decision.message());
      }
      return UpdateControl.patchStatus(trainingJob).rescheduleAfter(settings.placement().retry());
    }
    String siteName = decision.site().get();
    Site site = sites.stream().filter(s -> s.getMetadata().getName().equals(siteName)).findFirst().orElseThrow();
    SiteTarget.recordSite(client, TrainingJob.class, trainingJob, siteName);
    try (SiteTarget target = SiteTarget.of(client, site, trainingJob)) {
      return createJob(trainingJob, client, site, target, decision.message());
    } catch (RemoteClusters.Unreachable e) {
      status.setPhase(TrainingPhase.Pending);
      Conditions.set(status.getConditions(), SCHEDULED, ConditionStatus.False, PlacementDecision.SITE_UNREACHABLE, e.getMessage(), generation, clock);
      return UpdateControl.patchStatus(trainingJob).rescheduleAfter(settings.placement().retry());
    }
  }

  /** Creates the trainer Job at the Site (unless it exists) and records that in status. */
  private UpdateControl<TrainingJob> createJob(TrainingJob trainingJob, KubernetesClient client, Site site, SiteTarget target, String message) {
    TrainingJobStatus status = trainingJob.getStatus();
    Long generation = trainingJob.getMetadata().getGeneration();
    String siteName = site.getMetadata().getName();
    Job job = TrainerJobBuilder.build(trainingJob, siteName, site.getSpec(), settings.image(), !target.remote());
    target.createJob(job);
    status.setPhase(TrainingPhase.Pending);
    status.setSite(siteName);
    status.setJobName(job.getMetadata().getName());
    status.setAttempts(0);
    status.setMessage(message);
    Conditions.set(status.getConditions(), SCHEDULED, ConditionStatus.True, PlacementDecision.PLACED, message, generation, clock);
    Conditions.set(status.getConditions(), READY, ConditionStatus.False, "JobCreated", "trainer Job " + job.getMetadata().getName() + " created", generation, clock);
    events.normal(client, trainingJob, PlacementDecision.PLACED, message + "; created Job " + job.getMetadata().getName());
    // No informer watches a remote cluster: look at its Job again after the poll interval.
    return target.remote() ? UpdateControl.patchStatus(trainingJob).rescheduleAfter(settings.remote().poll()) : UpdateControl.patchStatus(trainingJob);
  }

  private UpdateControl<TrainingJob> observe(TrainingJob trainingJob, Job job, SiteTarget target, KubernetesClient client) {
    TrainingJobStatus status = trainingJob.getStatus();
    JobStatus jobStatus = job.getStatus() != null ? job.getStatus() : new JobStatus();
    Long generation = trainingJob.getMetadata().getGeneration();
    status.setJobName(job.getMetadata().getName());
    status.setAttempts(count(jobStatus.getActive()) + count(jobStatus.getFailed()) + count(jobStatus.getSucceeded()));
    status.setStartTime(jobStatus.getStartTime());
    if (!Conditions.isTrue(status.getConditions(), SCHEDULED)) {
      // Its Job exists, so it is placed, whatever a lost status write left here (for example NoEligibleSite from
      // before a Site that may hold its data appeared).
      Conditions.set(status.getConditions(), SCHEDULED, ConditionStatus.True, PlacementDecision.PLACED, "placed on Site " + status.getSite(),
          generation, clock);
    }
    if (count(jobStatus.getSucceeded()) > 0 || SiteLoad.hasCondition(jobStatus, "Complete")) {
      TrainerResult result = TrainerResult.parse(terminationMessage(trainingJob, target).orElse(null));
      if (!result.succeeded()) {
        return fail(trainingJob, client, "TrainerResultMissing", "the trainer Job completed but reported no result: " + result.reason());
      }
      ModelVersion version = ModelVersions.registerOnce(client, trainingJob, result, job.getSpec().getTemplate().getSpec().getContainers().get(0).getImage());
      status.setPhase(TrainingPhase.Succeeded);
      status.setCompletionTime(jobStatus.getCompletionTime() != null ? jobStatus.getCompletionTime() : now());
      status.setMetrics(result.metrics());
      status.setDatasetDigest(result.datasetDigest());
      status.setModelVersion(version.getMetadata().getName());
      status.setMessage("registered ModelVersion " + version.getMetadata().getName());
      Conditions.set(status.getConditions(), SUCCEEDED, ConditionStatus.True, "TrainingSucceeded", status.getMessage(), generation, clock);
      Conditions.set(status.getConditions(), READY, ConditionStatus.True, "TrainingSucceeded", status.getMessage(), generation, clock);
      events.normal(client, trainingJob, "ModelVersionRegistered", status.getMessage() + " " + metricsText(result.metrics()));
      return UpdateControl.patchStatus(trainingJob);
    }
    Optional<JobCondition> failed = jobStatus.getConditions() == null ? Optional.empty()
        : jobStatus.getConditions().stream().filter(c -> "Failed".equals(c.getType()) && "True".equals(c.getStatus())).findFirst();
    if (failed.isPresent()) {
      String reason = terminationMessage(trainingJob, target).map(TrainerResult::parse).map(TrainerResult::reason)
          .orElse(failed.get().getReason() + ": " + failed.get().getMessage());
      return fail(trainingJob, client, "TrainingFailed", reason);
    }
    boolean running = count(jobStatus.getActive()) > 0;
    status.setPhase(running ? TrainingPhase.Running : TrainingPhase.Pending);
    status.setMessage(running ? "training on Site " + status.getSite() : "waiting for the trainer pod");
    boolean changed = Conditions.set(status.getConditions(), READY, ConditionStatus.False, running ? "Running" : "JobCreated", status.getMessage(), generation, clock);
    if (changed && running) {
      events.normal(client, trainingJob, "Running", status.getMessage());
    }
    return UpdateControl.patchStatus(trainingJob);
  }

  private UpdateControl<TrainingJob> fail(TrainingJob trainingJob, KubernetesClient client, String reason, String message) {
    TrainingJobStatus status = trainingJob.getStatus();
    Long generation = trainingJob.getMetadata().getGeneration();
    status.setPhase(TrainingPhase.Failed);
    status.setMessage(message);
    status.setCompletionTime(now());
    Conditions.set(status.getConditions(), FAILED, ConditionStatus.True, reason, message, generation, clock);
    Conditions.set(status.getConditions(), READY, ConditionStatus.False, reason, message, generation, clock);
    events.warning(client, trainingJob, reason, message);
    return UpdateControl.patchStatus(trainingJob);
  }

  private static Optional<String> terminationMessage(TrainingJob trainingJob, SiteTarget target) {
    return RuntimeJob.terminationMessage(target.client().pods().inNamespace(target.namespace())
        .withLabel(Labels.TRAINING_JOB, trainingJob.getMetadata().getName()).list().getItems());
  }

  private static int count(Integer value) {
    return value == null ? 0 : value;
  }

  private static String metricsText(Map<String, Double> metrics) {
    return metrics.entrySet().stream().map(e -> e.getKey() + "=" + String.format(java.util.Locale.ROOT, "%.3f", e.getValue()))
        .collect(Collectors.joining(", ", "(", ")"));
  }

  private String now() {
    return Timestamps.now(clock);
  }
}
