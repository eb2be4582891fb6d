package dev.flywheel.operator.modelversion;

import dev.flywheel.crds.common.ConditionStatus;
import dev.flywheel.crds.common.DataClassification;
import dev.flywheel.crds.modelversion.ModelVersion;
import dev.flywheel.crds.modelversion.ModelVersionStatus;
import dev.flywheel.crds.modelversion.Stage;
import dev.flywheel.crds.modelversion.ValidationResult;
import dev.flywheel.crds.site.Site;
import dev.flywheel.operator.OperatorSettings;
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
import io.fabric8.kubernetes.api.model.batch.v1.JobStatus;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Cleaner;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.DeleteControl;
import io.javaoperatorsdk.operator.api.reconciler.ErrorStatusUpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import dev.flywheel.operator.telemetry.OperatorMetrics;
import jakarta.inject.Inject;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Reconciles a ModelVersion: validates its artifact once with a {@code flywheel-model validate} Job on a Site that
 * may hold its classification (digest, load, smoke inference), then makes its desired stage effective in status
 * and in the stage label ({@link EffectiveStage}) — never by editing another version's spec, so GitOps sees no
 * drift. The stage label makes {@code kubectl get mv -l mlops.flywheel.dev/model=churn} the registry.
 */
@ControllerConfiguration(name = "modelversion")
public class ModelVersionReconciler implements Reconciler<ModelVersion>, Cleaner<ModelVersion> {
  static final String VALIDATED = EffectiveStage.VALIDATED;
  static final String READY = EffectiveStage.READY;

  @Inject
  OperatorSettings settings;

  @Inject
  Clock clock;

  @Inject
  EventRecorder events;

  @Inject
  OperatorMetrics operatorMetrics;

  @Override
  public List<EventSource<?, ModelVersion>> prepareEventSources(EventSourceContext<ModelVersion> context) {
    List<EventSource<?, ModelVersion>> sources = new ArrayList<>(RuntimeEventSources.of(context, ModelVersion.class, Labels.VALIDATION,
        mv -> EffectiveStage.validated(mv).isEmpty()));
    // A version's stage depends on its siblings': a change of one wakes the other versions of the same model.
    sources.add(new InformerEventSource<>(InformerEventSourceConfiguration.from(ModelVersion.class, ModelVersion.class)
        .withName("siblings")
        .withSecondaryToPrimaryMapper(changed -> context.getPrimaryCache()
            .list(mv -> isSibling(mv, changed))
            .map(ResourceID::fromResource)
            .collect(Collectors.toSet()))
        .build(), context));
    return sources;
  }

  private static boolean isSibling(ModelVersion a, ModelVersion b) {
    return a.getSpec() != null && b.getSpec() != null && a.getSpec().getModel().equals(b.getSpec().getModel())
        && a.getMetadata().getNamespace().equals(b.getMetadata().getNamespace())
        && !a.getMetadata().getName().equals(b.getMetadata().getName());
  }

  @Override
  public UpdateControl<ModelVersion> reconcile(ModelVersion version, Context<ModelVersion> context) {
    ModelVersionStatus stored = version.getStatus();
    ModelVersionStatus status = StatusUpdates.copyOf(stored, ModelVersionStatus::new);
    version.setStatus(status);
    Duration retry = null;
    if (EffectiveStage.validated(version).isEmpty()) {
      retry = validate(version, context);
    }
    applyStage(version, context);
    status.setObservedGeneration(version.getMetadata().getGeneration());
    boolean labelsChanged = syncLabels(version);
    UpdateControl<ModelVersion> control = labelsChanged ? UpdateControl.patchResourceAndStatus(version) : UpdateControl.patchStatus(version);
    if (retry != null) {
      control.rescheduleAfter(retry);
    }
    UpdateControl<ModelVersion> result = StatusUpdates.onlyIfChanged(control, version, stored);
    operatorMetrics.reconciled("ModelVersion", result.isNoUpdate() ? OperatorMetrics.UNCHANGED : OperatorMetrics.UPDATED);
    return result;
  }

  /** An unexpected error becomes Ready=False with reason ReconcileError (written once, not on every retry). */
  @Override
  public ErrorStatusUpdateControl<ModelVersion> updateErrorStatus(ModelVersion version, Context<ModelVersion> context, Exception error) {
    operatorMetrics.reconciled("ModelVersion", OperatorMetrics.ERROR);
    return StatusUpdates.reconcileError(version, context, error, ModelVersionStatus::new, ModelVersionStatus::getConditions, clock);
  }

  /** Creates or observes the validation Job; returns when to look again (waiting for a Site, or polling a remote one). */
  private Duration validate(ModelVersion version, Context<ModelVersion> context) {
    KubernetesClient client = context.getClient();
    ModelVersionStatus status = version.getStatus();
    Long generation = version.getMetadata().getGeneration();
    if (!ValidatorJobBuilder.reachable(version)) {
      status.setPhase("Registered");
      Conditions.set(status.getConditions(), VALIDATED, ConditionStatus.Unknown, "ArtifactNotReachable",
          "this operator version validates pvc://, file:// and s3:// artifacts; " + version.getSpec().getArtifact().getUri() + " is not readable",
          generation, clock);
      return null;
    }
    String siteName = SiteTarget.recordedSite(version);
    if (siteName == null) {
      DataClassification classification = version.getSpec().getClassification() != null ? version.getSpec().getClassification() : DataClassification.INTERNAL;
      PlacementDecision decision = SitePlacement.place(classification, SitePlacement.AUTO, SiteCandidates.of(Caches.sites(context), Map.of()));
      if (!decision.isPlaced()) {
        status.setPhase("Registered");
        if (Conditions.set(status.getConditions(), VALIDATED, ConditionStatus.Unknown, decision.reason(), "validation waits: " + decision.message(),
            generation, clock)) {
          events.warning(client, version, decision.reason(), "validation waits: " + decision.message());
        }
        return settings.placement().retry();
      }
      siteName = decision.site().get();
      SiteTarget.recordSite(client, ModelVersion.class, version, siteName);
    }
    Site site = Caches.site(context, siteName).orElse(null);
    String jobName = Names.validation(version);
    try (SiteTarget target = SiteTarget.of(client, site, version)) {
      Optional<Job> job = target.findJob(context, jobName);
      if (job.isEmpty()) {
        if (site == null) {
          return settings.placement().retry();
        }
        target.createJob(ValidatorJobBuilder.build(version, siteName, site.getSpec(), settings.image(), !target.remote()));
        status.setPhase("Validating");
        Conditions.set(status.getConditions(), VALIDATED, ConditionStatus.Unknown, "Validating", "validation Job " + jobName + " runs on Site " + siteName,
            generation, clock);
        events.normal(client, version, "Validating", "validation Job " + jobName + " created on Site " + siteName);
        return target.remote() ? settings.remote().poll() : null;
      }
      JobStatus jobStatus = job.get().getStatus() != null ? job.get().getStatus() : new JobStatus();
      boolean complete = jobStatus.getSucceeded() != null && jobStatus.getSucceeded() > 0;
      boolean failed = SiteLoad.hasCondition(jobStatus, "Failed");
      if (!complete && !failed) {
        return target.remote() ? settings.remote().poll() : null;
      }
      ValidationOutcome outcome = ValidationOutcome.parse(RuntimeJob.terminationMessage(target.client().pods().inNamespace(target.namespace())
          .withLabel(Labels.MODEL_VERSION, version.getMetadata().getName()).list().getItems()).orElse(null));
      recordOutcome(version, client, complete && outcome.passed(), outcome);
      return null;
    } catch (RemoteClusters.Unreachable e) {
      Conditions.set(status.getConditions(), VALIDATED, ConditionStatus.Unknown, PlacementDecision.SITE_UNREACHABLE, e.getMessage(), generation, clock);
      return settings.remote().poll();
    }
  }

  private void recordOutcome(ModelVersion version, KubernetesClient client, boolean passed, ValidationOutcome outcome) {
    ModelVersionStatus status = version.getStatus();
    ValidationResult result = new ValidationResult();
    result.setTime(Timestamps.now(clock));
    result.setObservedDigest(outcome.observedDigest());
    result.setDigestMatch(outcome.digestMatch());
    result.setSmokeTestPassed(outcome.smokeTestPassed());
    result.setMessage(passed ? null : outcome.reason());
    status.setValidation(result);
    String message = passed ? "digest " + version.getSpec().getArtifact().getDigest() + " matches; the model loads and answers" : outcome.reason();
    status.setPhase(passed ? "Validated" : "Invalid");
    Conditions.set(status.getConditions(), VALIDATED, passed ? ConditionStatus.True : ConditionStatus.False, outcome.conditionReason(), message,
        version.getMetadata().getGeneration(), clock);
    if (passed) {
      events.normal(client, version, outcome.conditionReason(), message);
    } else {
      events.warning(client, version, outcome.conditionReason(), message);
    }
  }

  /** Deletes the validation Job wherever it runs (locally its owner reference would do; remotely nothing else would). */
  @Override
  public DeleteControl cleanup(ModelVersion version, Context<ModelVersion> context) {
    String siteName = SiteTarget.recordedSite(version);
    return SiteTarget.deleteJob(context.getClient(), events, version, siteName, Caches.site(context, siteName), Names.validation(version),
        settings.remote().poll());
  }

  /** Makes the effective stage of {@link EffectiveStage} the status' stage, with its Ready condition and Events. */
  private void applyStage(ModelVersion version, Context<ModelVersion> context) {
    KubernetesClient client = context.getClient();
    ModelVersionStatus status = version.getStatus();
    List<ModelVersion> siblings = context.getPrimaryCache().list(mv -> isSibling(mv, version)).toList();
    Stage previous = EffectiveStage.effective(version);
    EffectiveStage next = EffectiveStage.of(version, siblings);
    boolean changed = Conditions.set(status.getConditions(), READY, next.ready() ? ConditionStatus.True : ConditionStatus.False, next.reason(),
        next.message(), version.getMetadata().getGeneration(), clock);
    status.setStage(next.stage());
    if (next.stage() != previous) {
      status.setPromotedAt(Timestamps.now(clock));
    }
    if (next.stage() != Stage.None) {
      status.setPhase(next.stage().name());
    }
    if (!changed) {
      return;
    }
    String about = "version " + version.getSpec().getVersion() + " of model " + version.getSpec().getModel();
    if (!next.ready()) {
      events.warning(client, version, "PromotionRefused", next.message());
    } else if (EffectiveStage.SUPERSEDED.equals(next.reason())) {
      events.normal(client, version, EffectiveStage.SUPERSEDED, about + " is effectively Archived: " + next.message());
    } else if (next.stage() != previous && next.stage() != Stage.None) {
      events.normal(client, version, "Stage" + next.stage(), about + " is now " + next.stage());
    }
  }

  /** The model and effective-stage labels that make the registry queryable; returns whether they changed. */
  private static boolean syncLabels(ModelVersion version) {
    Map<String, String> labels = version.getMetadata().getLabels() != null ? version.getMetadata().getLabels() : Map.of();
    Map<String, String> wanted = new HashMap<>(labels);
    wanted.put(Labels.MODEL, version.getSpec().getModel());
    wanted.put(Labels.STAGE, EffectiveStage.effective(version).name());
    if (wanted.equals(labels)) {
      return false;
    }
    version.getMetadata().setLabels(wanted);
    return true;
  }
}
