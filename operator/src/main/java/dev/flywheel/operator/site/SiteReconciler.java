package dev.flywheel.operator.site;

import dev.flywheel.crds.common.ConditionStatus;
import dev.flywheel.crds.site.Site;
import dev.flywheel.crds.site.SiteSpec;
import dev.flywheel.crds.site.SiteStatus;
import dev.flywheel.crds.site.SiteType;
import dev.flywheel.crds.modeldeployment.ModelDeployment;
import dev.flywheel.crds.trainingjob.TrainingJob;
import dev.flywheel.operator.common.Caches;
import dev.flywheel.operator.common.Conditions;
import dev.flywheel.operator.common.EventRecorder;
import dev.flywheel.operator.common.StatusUpdates;
import dev.flywheel.operator.common.Timestamps;
import dev.flywheel.operator.placement.SiteLoad;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.VersionInfo;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.ErrorStatusUpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import dev.flywheel.operator.OperatorSettings;
import dev.flywheel.operator.telemetry.OperatorMetrics;
import jakarta.inject.Inject;

/**
 * Probes each Site and keeps its status current: a node pool is part of this cluster (Reachable) and Ready when
 * nodes match its selector; a remote cluster is Reachable and Ready when its API answers with the kubeconfig from
 * the referenced Secret. Also counts the training and serving work running there. Nodes, TrainingJobs and
 * ModelDeployments come from informers, so a node-pool Site whose world did not change costs no API call; a
 * remote cluster is probed again every probe interval.
 */
@ControllerConfiguration(name = "site")
public class SiteReconciler implements Reconciler<Site> {
  static final String REACHABLE = "Reachable";
  static final String READY = "Ready";

  @Inject
  OperatorSettings settings;

  @Inject
  Clock clock;

  @Inject
  EventRecorder events;

  @Inject
  OperatorMetrics operatorMetrics;

  @Override
  public List<EventSource<?, Site>> prepareEventSources(EventSourceContext<Site> context) {
    InformerEventSource<Node, Site> nodes = new InformerEventSource<>(InformerEventSourceConfiguration.from(Node.class, Site.class)
        .withSecondaryToPrimaryMapper(node -> context.getPrimaryCache().list(s -> s.getSpec().getType() == SiteType.nodePool)
            .map(ResourceID::fromResource).collect(Collectors.toSet()))
        .build(), context);
    InformerEventSource<TrainingJob, Site> trainingJobs = new InformerEventSource<>(
        InformerEventSourceConfiguration.from(TrainingJob.class, Site.class)
            .withSecondaryToPrimaryMapper(job -> job.getStatus() == null || job.getStatus().getSite() == null
                ? Set.of() : Set.of(new ResourceID(job.getStatus().getSite())))
            .build(), context);
    InformerEventSource<ModelDeployment, Site> deployments = new InformerEventSource<>(
        InformerEventSourceConfiguration.from(ModelDeployment.class, Site.class)
            .withSecondaryToPrimaryMapper(mdep -> mdep.getStatus() == null || mdep.getStatus().getSites() == null
                ? Set.of() : mdep.getStatus().getSites().stream().map(ResourceID::new).collect(Collectors.toSet()))
            .build(), context);
    return List.of(nodes, trainingJobs, deployments);
  }

  @Override
  public UpdateControl<Site> reconcile(Site site, Context<Site> context) {
    KubernetesClient client = context.getClient();
    SiteStatus stored = site.getStatus();
    SiteStatus status = StatusUpdates.copyOf(stored, SiteStatus::new);
    site.setStatus(status);
    Long generation = site.getMetadata().getGeneration();
    boolean remote = site.getSpec().getType() != SiteType.nodePool;
    Probe probe = remote ? probeRemote(client, site.getSpec()) : probeNodePool(Caches.cache(context, Node.class).list().toList(), site.getSpec());
    boolean changed = Conditions.set(status.getConditions(), REACHABLE, probe.reachable() ? ConditionStatus.True : ConditionStatus.False,
        probe.reachableReason(), probe.message(), generation, clock);
    changed |= Conditions.set(status.getConditions(), READY, probe.ready() ? ConditionStatus.True : ConditionStatus.False,
        probe.readyReason(), probe.message(), generation, clock);
    if (changed) {
      if (probe.reachable()) {
        events.normal(client, site, probe.reachableReason(), probe.message());
      } else {
        events.warning(client, site, probe.reachableReason(), probe.message());
      }
    }
    String name = site.getMetadata().getName();
    status.setRunningTrainingJobs(SiteLoad.runningTrainingJobs(Caches.cache(context, TrainingJob.class).list()).getOrDefault(name, 0));
    status.setRunningDeployments((int) Caches.cache(context, ModelDeployment.class)
        .list(mdep -> mdep.getStatus() != null && mdep.getStatus().getSites() != null && mdep.getStatus().getSites().contains(name)).count());
    if (remote || changed || status.getLastProbeTime() == null) {
      status.setLastProbeTime(Timestamps.now(clock));
    }
    status.setObservedGeneration(generation);
    UpdateControl<Site> control = StatusUpdates.patchIfChanged(site, stored, status);
    operatorMetrics.reconciled("Site", control.isNoUpdate() ? OperatorMetrics.UNCHANGED : OperatorMetrics.UPDATED);
    return remote ? control.rescheduleAfter(settings.site().probeInterval()) : control;
  }

  /** An unexpected error becomes Ready=False with reason ReconcileError (written once, not on every retry). */
  @Override
  public ErrorStatusUpdateControl<Site> updateErrorStatus(Site site, Context<Site> context, Exception error) {
    operatorMetrics.reconciled("Site", OperatorMetrics.ERROR);
    return StatusUpdates.reconcileError(site, context, error, SiteStatus::new, SiteStatus::getConditions, clock);
  }

  private record Probe(boolean reachable, String reachableReason, boolean ready, String readyReason, String message) {}

  private static Probe probeNodePool(List<Node> allNodes, SiteSpec spec) {
    Map<String, String> selector = spec.getNodeSelector() == null ? Map.of() : spec.getNodeSelector();
    int nodes = (int) allNodes.stream().filter(n -> matches(n, selector)).count();
    String which = selector.isEmpty() ? "nodes in this cluster" : "nodes match " + selector;
    return nodes > 0
        ? new Probe(true, "ThisCluster", true, "NodesAvailable", nodes + " " + which)
        : new Probe(true, "ThisCluster", false, "NoMatchingNodes", "no " + which.replace("nodes match", "node matches"));
  }

  private static boolean matches(Node node, Map<String, String> selector) {
    Map<String, String> labels = node.getMetadata().getLabels() == null ? Map.of() : node.getMetadata().getLabels();
    return selector.entrySet().stream().allMatch(e -> e.getValue().equals(labels.get(e.getKey())));
  }

  private static Probe probeRemote(KubernetesClient local, SiteSpec spec) {
    try (KubernetesClient remote = RemoteClusters.connect(local, spec.getKubeconfigSecretRef())) {
      VersionInfo version = remote.getKubernetesVersion();
      String message = "the remote API answers" + (version != null && version.getMajor() != null
          ? " (Kubernetes " + version.getMajor() + "." + version.getMinor() + ")" : "");
      return new Probe(true, "APIAnswers", true, "APIAnswers", message);
    } catch (RemoteClusters.Unreachable e) {
      return new Probe(false, e.reason(), false, e.reason(), e.getMessage());
    } catch (KubernetesClientException e) {
      String detail = e.getCode() > 0 ? "HTTP " + e.getCode() : e.getCause() != null ? e.getCause().getClass().getSimpleName() : "no answer";
      return new Probe(false, "Unreachable", false, "Unreachable", "the remote API does not answer: " + detail);
    }
  }
}
