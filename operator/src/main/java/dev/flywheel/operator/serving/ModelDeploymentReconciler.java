package dev.flywheel.operator.serving;

import dev.flywheel.crds.common.ConditionStatus;
import dev.flywheel.crds.modeldeployment.AnalysisMeasurement;
import dev.flywheel.crds.modeldeployment.ModelDeployment;
import dev.flywheel.crds.modeldeployment.ModelDeploymentStatus;
import dev.flywheel.crds.modeldeployment.Rollout;
import dev.flywheel.crds.modelversion.ModelVersion;
import dev.flywheel.crds.site.Site;
import dev.flywheel.crds.trainingjob.TrainingJob;
import dev.flywheel.operator.retraining.Retrainer;
import dev.flywheel.operator.OperatorSettings;
import dev.flywheel.operator.common.Caches;
import dev.flywheel.operator.common.Conditions;
import dev.flywheel.operator.common.EventRecorder;
import dev.flywheel.operator.common.Labels;
import dev.flywheel.operator.common.Names;
import dev.flywheel.operator.common.OptionalApis;
import dev.flywheel.operator.common.OwnedChildren;
import dev.flywheel.operator.common.OwnerReferences;
import dev.flywheel.operator.common.StatusUpdates;
import dev.flywheel.operator.common.UncachedChildren;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.ErrorStatusUpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.PrimaryUpdateAndCacheUtils;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import dev.flywheel.operator.telemetry.OperatorMetrics;
import jakarta.inject.Inject;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Reconciles a ModelDeployment as a pipeline: resolve the wanted version → place it on Sites that may hold its
 * data → plan what serves (stable, canary, rollout step, analysis) → build the children (pure builders) → make
 * them so (create, put back drift, delete the unwanted) → build the status → close the loop ({@link Retrainer}:
 * triggers, retraining, promotion gates) → patch the status only when it changed.
 * Everything read comes from informer caches. Children are owned, so they go with the ModelDeployment (no finalizer).
 */
@ControllerConfiguration(name = "modeldeployment")
public class ModelDeploymentReconciler implements Reconciler<ModelDeployment> {
  static final String READY = ServingConditions.READY;

  @Inject
  OperatorSettings settings;

  @Inject
  Clock clock;

  @Inject
  EventRecorder events;

  @Inject
  OperatorMetrics operatorMetrics;

  @Inject
  AnalysisRunner analysis;

  @Inject
  OptionalApis optionalApis;

  @Inject
  UncachedChildren uncachedChildren;

  @Inject
  Retrainer retrainer;

  @Override
  public List<EventSource<?, ModelDeployment>> prepareEventSources(EventSourceContext<ModelDeployment> context) {
    return ServingEventSources.of(context);
  }

  @Override
  public UpdateControl<ModelDeployment> reconcile(ModelDeployment deployment, Context<ModelDeployment> context) {
    KubernetesClient client = context.getClient();
    ModelDeploymentStatus stored = deployment.getStatus();
    ModelDeploymentStatus status = StatusUpdates.copyOf(stored, ModelDeploymentStatus::new);
    deployment.setStatus(status);
    String namespace = deployment.getMetadata().getNamespace();
    Instant now = clock.instant();

    Map<String, ModelVersion> versions = Caches.cache(context, ModelVersion.class)
        .list(namespace, mv -> true).collect(Collectors.toMap(mv -> mv.getMetadata().getName(), mv -> mv));
    List<Site> sites = Caches.sites(context);
    Optional<String[]> refusal = Optional.empty();
    VersionResolution resolution = VersionResolution.of(deployment, List.copyOf(versions.values()));
    Optional<ModelVersion> wanted = resolution.version();
    if (!resolution.resolved()) {
      refusal = Optional.of(new String[] {resolution.reason(), resolution.message()});
    } else {
      ServingPlacement placement = ServingPlacement.of(deployment, wanted.get(), sites);
      if (!placement.placed()) {
        refusal = Optional.of(new String[] {placement.reason(), placement.message()});
        wanted = Optional.empty();
      }
    }

    Deployment stableDeployment = cached(context, Deployment.class, Names.servingDeployment(deployment, Track.STABLE), namespace);
    Deployment canaryDeployment = cached(context, Deployment.class, Names.servingDeployment(deployment, Track.CANARY), namespace);
    AnalysisRunner.Round[] round = new AnalysisRunner.Round[1];
    RolloutPlanner.Inputs inputs = new RolloutPlanner.Inputs(deployment, wanted, name -> Optional.ofNullable(versions.get(name)),
        stableDeployment, canaryDeployment, now, version -> measure(client, deployment, version, now, round));
    String previousCurrent = status.getCurrentVersion();
    ServingPlan plan = RolloutPlanner.plan(inputs, status);

    List<HasMetadata> desired = new ArrayList<>();
    Set<String> servedFrom = new LinkedHashSet<>();
    boolean podMonitor = optionalApis.installed(client, PodMonitorBuilder.CRD);
    addDeployment(desired, servedFrom, deployment, plan.stable(), Track.STABLE, plan.stableReplicas(), sites, podMonitor, stableDeployment,
        plan.keepStable());
    addDeployment(desired, servedFrom, deployment, plan.canary(), Track.CANARY, plan.canaryReplicas(), sites, podMonitor, canaryDeployment,
        plan.keepCanary());
    desired.add(ServingServiceBuilder.all(deployment));
    Rollout rollout = deployment.getSpec().getRollout() != null ? deployment.getSpec().getRollout() : new Rollout();
    List<GenericKubernetesResource> uncached = new ArrayList<>();
    if (rollout.getGatewayRef() != null) {
      desired.add(ServingServiceBuilder.track(deployment, Track.STABLE));
      desired.add(ServingServiceBuilder.track(deployment, Track.CANARY));
      uncached.add(HttpRouteBuilder.build(deployment, rollout.getGatewayRef(), canaryWeight(plan, rollout, stableDeployment, canaryDeployment),
          plan.hasCanary()));
    }
    int replicas = deployment.getSpec().getReplicas() == null ? 1 : deployment.getSpec().getReplicas();
    if (replicas > 1) {
      desired.add(DisruptionBudgetBuilder.build(deployment));
    }
    if (podMonitor) {
      uncached.add(PodMonitorBuilder.build(deployment));
    }
    List<HasMetadata> existing = Stream.of(Deployment.class, Service.class, PodDisruptionBudget.class)
        .<HasMetadata>flatMap(type -> ownedBy(context, type, deployment)).toList();
    OwnedChildren.Changes changes = OwnedChildren.apply(client, desired, existing, deployment.getMetadata().getUid());
    List<GenericKubernetesResource> possible = new ArrayList<>();
    if (podMonitor) {
      possible.add(PodMonitorBuilder.build(deployment));
    }
    if (optionalApis.installed(client, HttpRouteBuilder.CRD)) {
      possible.add(HttpRouteBuilder.build(deployment, new dev.flywheel.crds.modeldeployment.GatewayReference(), 0, false));
    }
    Optional<String> notServed = uncachedChildren.apply(client, deployment.getMetadata().getUid(), uncached, possible);
    if (notServed.isPresent() && refusal.isEmpty()) {
      refusal = Optional.of(new String[] {"GatewayAPIMissing", notServed.get() + ": install the Gateway API CRDs or remove spec.rollout.gatewayRef"});
    }

    int wantedReplicas = replicas;
    Deployment stableNow = stableDeployment;
    String wantedName = wanted.map(v -> v.getMetadata().getName()).orElse(null);
    boolean rolledOut = wantedName == null || DeploymentState.rolledOut(stableNow, wantedName, wantedReplicas);
    int readyWanted = wantedName != null && DeploymentState.runs(stableNow, wantedName) ? DeploymentState.ready(stableNow) : 0;
    status.setReplicas(DeploymentState.existing(stableDeployment) + DeploymentState.existing(canaryDeployment));
    status.setReadyReplicas(DeploymentState.ready(stableDeployment) + DeploymentState.ready(canaryDeployment));
    status.setSelector(Labels.servingSelector(deployment).entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining(",")));
    status.setUrl(ServingServiceBuilder.url(deployment));
    status.setSites(servedFrom.isEmpty() ? null : List.copyOf(servedFrom));
    status.setCanaryWeight(plan.hasCanary() ? canaryWeight(plan, rollout, stableDeployment, canaryDeployment) : null);
    status.setCanaryStep(plan.hasCanary() && status.getRollout() != null && !CanaryStepper.finished(status.getRollout())
        ? status.getRollout().getStep() + 1 : null);
    status.setObservedGeneration(deployment.getMetadata().getGeneration());
    ServingConditions.build(deployment, status, new ServingConditions.Facts(refusal, Optional.ofNullable(wantedName), wantedReplicas, readyWanted,
        rolledOut, plan, Optional.ofNullable(round[0])), clock);
    List<TrainingJob> retrainJobs = ownedBy(context, TrainingJob.class, deployment).toList();
    Optional<Duration> retrainRecheck = retrainer.reconcile(new Retrainer.Inputs(client, deployment, retrainJobs, versions, sites,
        name -> Optional.ofNullable(cached(context, Job.class, name, namespace)),
        Conditions.isTrue(status.getConditions(), ServingConditions.PROGRESSING), now), status);
    recordEvents(client, deployment, stored != null ? stored : new ModelDeploymentStatus(), status, plan, previousCurrent, changes);

    boolean ready = Conditions.isTrue(status.getConditions(), READY);
    operatorMetrics.deploymentState(namespace, deployment.getMetadata().getName(), ready,
        Conditions.isTrue(status.getConditions(), ServingConditions.DEGRADED),
        Conditions.find(status.getConditions(), ServingConditions.METRICS_AVAILABLE)
            .filter(c -> c.getStatus() != ConditionStatus.Unknown).map(c -> c.getStatus() == ConditionStatus.True).orElse(null));
    switch (plan.outcome()) {
      case PROMOTED -> operatorMetrics.rollout(namespace, deployment.getMetadata().getName(), OperatorMetrics.PROMOTED);
      case ROLLED_BACK -> operatorMetrics.rollout(namespace, deployment.getMetadata().getName(), OperatorMetrics.ROLLED_BACK);
      case ANALYSIS_FAILED -> operatorMetrics.rollout(namespace, deployment.getMetadata().getName(), OperatorMetrics.ANALYSIS_FAILED);
      default -> { }
    }
    forgetDeleted(deployment, context);
    boolean changed = !java.util.Objects.equals(stored, status) || changes.any();
    operatorMetrics.reconciled("ModelDeployment", changed ? OperatorMetrics.UPDATED : OperatorMetrics.UNCHANGED);
    if (!java.util.Objects.equals(stored, status)) {
      // Written with optimistic locking and cached at once, so the next pass (woken by a child this pass changed)
      // sees this rollout state, never the one before it; a conflict retries the pass on the newer object.
      PrimaryUpdateAndCacheUtils.updateStatusAndCacheResource(deployment, context, fresh -> {
        fresh.setStatus(status);
        return fresh;
      });
    }
    Duration recheck = min(plan.recheckIn().orElse(settings.serving().resync()), settings.serving().resync());
    return UpdateControl.<ModelDeployment>noUpdate().rescheduleAfter(min(recheck, retrainRecheck.orElse(recheck)));
  }

  private Supplier<List<AnalysisMeasurement>> measure(KubernetesClient client, ModelDeployment deployment, ModelVersion version, Instant now,
      AnalysisRunner.Round[] round) {
    return () -> {
      round[0] = analysis.measure(client, deployment, version, now);
      return round[0].measurements();
    };
  }

  /** Adds the Deployment of one track: built for its version where that version may be placed, or kept as it is. */
  private void addDeployment(List<HasMetadata> desired, Set<String> servedFrom, ModelDeployment deployment, Optional<ModelVersion> version,
      Track track, int replicas, List<Site> sites, boolean podMonitor, Deployment existing, boolean keepExisting) {
    if (keepExisting || version.isEmpty()) {
      if (keepExisting && existing != null) {
        desired.add(existing); // not rebuilt (its version is gone, nothing may be served, or it drains): it serves on as it is
        Optional.ofNullable(existing.getSpec().getTemplate().getMetadata().getLabels()).map(l -> l.get(Labels.SITE)).ifPresent(servedFrom::add);
      }
      return;
    }
    ServingPlacement placement = ServingPlacement.of(deployment, version.get(), sites);
    if (!placement.placed()) {
      if (existing != null) {
        desired.add(existing); // it may not be rebuilt here any more, but whatever serves keeps serving
      }
      return;
    }
    placement.sites().forEach(s -> servedFrom.add(s.getMetadata().getName()));
    desired.add(ServingDeploymentBuilder.build(deployment, ServedVersion.of(version.get()), track, replicas,
        placement.sites().stream().map(Site::getSpec).toList(), settings.image(), podMonitor));
  }

  /**
   * The canary's share of traffic: the step's weight with a Gateway (exact); the share of ready pods without one, or
   * while both tracks run the same version (a promoted canary draining).
   */
  private static int canaryWeight(ServingPlan plan, Rollout rollout, Deployment stable, Deployment canary) {
    if (!plan.hasCanary()) {
      return 0;
    }
    if (rollout.getGatewayRef() != null && !plan.weightByReadyPods()) {
      return plan.stepWeight();
    }
    int stableReady = DeploymentState.ready(stable);
    int canaryReady = DeploymentState.ready(canary);
    if (stableReady + canaryReady == 0) {
      return ReplicaSplit.of(plan.stableReplicas() + plan.canaryReplicas(), Math.max(plan.stepWeight(), 1), false).canaryPercent();
    }
    return Math.round(100f * canaryReady / (stableReady + canaryReady));
  }

  private void recordEvents(KubernetesClient client, ModelDeployment deployment, ModelDeploymentStatus before, ModelDeploymentStatus after,
      ServingPlan plan, String previousCurrent, OwnedChildren.Changes changes) {
    String canary = after.getRollout() != null ? after.getRollout().getVersion() : null;
    switch (plan.outcome()) {
      case STEP_ADVANCED -> events.normal(client, deployment, "CanaryStepAdvanced", "canary " + canary + " passed its analysis; step "
          + (after.getRollout().getStep() + 1) + " of " + deployment.getSpec().getRollout().getSteps().size() + " at weight " + plan.stepWeight() + "%");
      case PROMOTED -> events.normal(client, deployment, "CanaryPromoted", "canary " + canary + " passed every step and is the stable version now");
      case ROLLED_BACK -> events.warning(client, deployment, "RolledBack", Conditions.find(after.getConditions(), ServingConditions.DEGRADED)
          .map(c -> c.getMessage()).orElse("rolled back " + canary));
      case ANALYSIS_FAILED -> events.warning(client, deployment, "AnalysisFailed", Conditions.find(after.getConditions(), ServingConditions.DEGRADED)
          .map(c -> c.getMessage()).orElse("analysis of " + canary + " failed"));
      case INCONCLUSIVE -> {
        if (before.getRollout() == null || !CanaryStepper.INCONCLUSIVE.equals(before.getRollout().getPhase())) {
          events.warning(client, deployment, "AnalysisInconclusive", "analysis of canary " + canary
          + " was inconclusive; the rollout holds: " + Conditions.find(after.getConditions(), ServingConditions.METRICS_AVAILABLE)
          .map(c -> c.getMessage()).orElse(""));
        }
      }
      default -> { }
    }
    String startedBefore = before.getRollout() != null ? before.getRollout().getVersion() : null;
    if (canary != null && !canary.equals(startedBefore) && plan.hasCanary()) {
      events.normal(client, deployment, "CanaryStarted", "rolling out " + canary + " as a canary next to " + after.getCurrentVersion()
          + (before.getCanaryVersion() != null && !before.getCanaryVersion().equals(canary) ? "; it replaces canary " + before.getCanaryVersion() : ""));
    }
    if (after.getCurrentVersion() != null && !after.getCurrentVersion().equals(previousCurrent)) {
      events.normal(client, deployment, "VersionServing", after.getCurrentVersion() + " is the stable version"
          + (previousCurrent != null ? " (was " + previousCurrent + ")" : ""));
    }
    Optional<String> readyBefore = Conditions.find(before.getConditions(), READY).map(c -> c.getStatus() + "/" + c.getReason());
    var readyAfter = Conditions.find(after.getConditions(), READY).orElseThrow();
    // Ready copies Degraded's reason (RolledBack, AnalysisFailed), whose own Event says why: an Event of the same reason
    // would have the same name and overwrite that message with Ready's vaguer one, and count the rollback twice.
    Optional<String> degradedReason = Conditions.find(after.getConditions(), ServingConditions.DEGRADED)
        .filter(c -> c.getStatus() == ConditionStatus.True).map(c -> c.getReason());
    if (!readyBefore.equals(Optional.of(readyAfter.getStatus() + "/" + readyAfter.getReason()))) {
      if (readyAfter.getStatus() == ConditionStatus.True) {
        events.normal(client, deployment, readyAfter.getReason(), readyAfter.getMessage());
      } else if (!"Progressing".equals(readyAfter.getReason()) && !degradedReason.equals(Optional.of(readyAfter.getReason()))) {
        events.warning(client, deployment, readyAfter.getReason(), readyAfter.getMessage());
      }
    }
    if (!changes.updated().isEmpty()) {
      events.normal(client, deployment, "ChildrenUpdated", "put back or updated " + String.join(", ", changes.updated()));
    }
  }

  /** An unexpected error becomes Ready=False with reason ReconcileError (written once, not on every retry). */
  @Override
  public ErrorStatusUpdateControl<ModelDeployment> updateErrorStatus(ModelDeployment deployment, Context<ModelDeployment> context, Exception error) {
    operatorMetrics.reconciled("ModelDeployment", OperatorMetrics.ERROR);
    return StatusUpdates.reconcileError(deployment, context, error, ModelDeploymentStatus::new, ModelDeploymentStatus::getConditions, clock);
  }

  /** ModelDeployments seen, so the metrics of one that was deleted are dropped (looked at most once a minute). */
  private final java.util.Set<io.javaoperatorsdk.operator.processing.event.ResourceID> seen = java.util.concurrent.ConcurrentHashMap.newKeySet();
  private volatile Instant lastForget = Instant.EPOCH;

  private void forgetDeleted(ModelDeployment deployment, Context<ModelDeployment> context) {
    Instant now = clock.instant();
    seen.add(io.javaoperatorsdk.operator.processing.event.ResourceID.fromResource(deployment)); // every live one passes here
    if (now.isBefore(lastForget.plusSeconds(60))) {
      return;
    }
    lastForget = now;
    java.util.Set<io.javaoperatorsdk.operator.processing.event.ResourceID> live = context.getPrimaryCache().keys().collect(Collectors.toSet());
    seen.removeIf(id -> {
      boolean gone = !live.contains(id);
      if (gone) {
        operatorMetrics.forget(id.getNamespace().orElse(""), id.getName());
      }
      return gone;
    });
  }

  private static <R extends HasMetadata> R cached(Context<ModelDeployment> context, Class<R> type, String name, String namespace) {
    return Caches.cache(context, type).get(new io.javaoperatorsdk.operator.processing.event.ResourceID(name, namespace)).orElse(null);
  }

  /**
   * The deployment's children of this type, from the informer cache through its owner index (the children that name
   * this deployment), never a scan of every cached object: a resync of N deployments costs N lookups, not N².
   */
  private static <R extends HasMetadata> Stream<R> ownedBy(Context<ModelDeployment> context, Class<R> type, ModelDeployment deployment) {
    return context.getSecondaryResourcesAsStream(type).filter(r -> OwnerReferences.ownedBy(r, deployment.getMetadata().getUid()));
  }

  private static Duration min(Duration a, Duration b) {
    return a.compareTo(b) <= 0 ? a : b;
  }
}
