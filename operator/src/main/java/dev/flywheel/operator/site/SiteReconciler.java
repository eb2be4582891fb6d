package dev.flywheel.operator.site;

import dev.flywheel.crds.common.ConditionStatus;
import dev.flywheel.crds.site.Site;
import dev.flywheel.crds.site.SiteSpec;
import dev.flywheel.crds.site.SiteStatus;
import dev.flywheel.crds.site.SiteType;
import dev.flywheel.operator.common.Conditions;
import dev.flywheel.operator.common.EventRecorder;
import dev.flywheel.operator.placement.SiteLoad;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.VersionInfo;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import dev.flywheel.operator.OperatorSettings;
import jakarta.inject.Inject;

/**
 * Probes each Site and keeps its status current: a node pool is part of this cluster (Reachable) and Ready when
 * nodes match its selector; a remote cluster is Reachable and Ready when its API answers with the kubeconfig from
 * the referenced Secret. Also counts the training work running there. Probes again every probe interval.
 */
@ControllerConfiguration(name = "site")
public class SiteReconciler implements Reconciler<Site> {
  static final String REACHABLE = "Reachable";
  static final String READY = "Ready";

  @Inject
  OperatorSettings settings;

  @Override
  public UpdateControl<Site> reconcile(Site site, Context<Site> context) {
    KubernetesClient client = context.getClient();
    SiteStatus status = site.getStatus() != null ? site.getStatus() : new SiteStatus();
    site.setStatus(status);
    Long generation = site.getMetadata().getGeneration();
    Probe probe = site.getSpec().getType() == SiteType.nodePool ? probeNodePool(client, site.getSpec()) : probeRemote(client, site.getSpec());
    boolean changed = Conditions.set(status.getConditions(), REACHABLE, probe.reachable() ? ConditionStatus.True : ConditionStatus.False,
        probe.reachableReason(), probe.message(), generation);
    Conditions.set(status.getConditions(), READY, probe.ready() ? ConditionStatus.True : ConditionStatus.False,
        probe.readyReason(), probe.message(), generation);
    if (changed) {
      if (probe.reachable()) {
        EventRecorder.normal(client, site, probe.reachableReason(), probe.message());
      } else {
        EventRecorder.warning(client, site, probe.reachableReason(), probe.message());
      }
    }
    status.setRunningTrainingJobs(SiteLoad.runningTrainingJobs(client).getOrDefault(site.getMetadata().getName(), 0));
    status.setRunningDeployments(0);
    status.setLastProbeTime(Instant.now().truncatedTo(ChronoUnit.SECONDS).toString());
    status.setObservedGeneration(generation);
    return UpdateControl.patchStatus(site).rescheduleAfter(settings.site().probeInterval());
  }

  private record Probe(boolean reachable, String reachableReason, boolean ready, String readyReason, String message) {}

  private static Probe probeNodePool(KubernetesClient client, SiteSpec spec) {
    Map<String, String> selector = spec.getNodeSelector() == null ? Map.of() : spec.getNodeSelector();
    int nodes = client.nodes().withLabels(selector).list().getItems().size();
    String which = selector.isEmpty() ? "nodes in this cluster" : "nodes match " + selector;
    return nodes > 0
        ? new Probe(true, "ThisCluster", true, "NodesAvailable", nodes + " " + which)
        : new Probe(true, "ThisCluster", false, "NoMatchingNodes", "no " + which.replace("nodes match", "node matches"));
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
