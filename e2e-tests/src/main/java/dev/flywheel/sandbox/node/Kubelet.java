package dev.flywheel.sandbox.node;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The scheduler and the kubelet of the node's Nodes. A pod without a node is bound to the fitting Node with the fewest
 * pods ({@link Scheduling}) together with its port mapping ({@link PortMap}), or gets PodScheduled=False Unschedulable;
 * a pod bound to one of these Nodes runs as local processes ({@link PodRun}), and its status is written (a JSON patch of
 * /status) whenever it differs from the last one written. A deleted pod's processes get SIGTERM, then SIGKILL after its
 * grace period; a pod marked for deletion (a real API server's graceful delete) is stopped and then removed.
 */
final class Kubelet {
  private static final Logger LOG = Logger.getLogger(Kubelet.class.getName());

  private final NodeContext node;
  private final List<Node> nodes;
  private final Map<String, PodRun> runs = new HashMap<>();
  private final Map<String, PodStatus> written = new HashMap<>();
  private final Set<String> dirty = new HashSet<>();
  private final Set<String> unschedulable = new HashSet<>();

  Kubelet(NodeContext node, List<Node> nodes) {
    this.node = node;
    this.nodes = nodes;
  }

  void onPod(Pod pod) {
    String uid = pod.getMetadata().getUid();
    if (pod.getMetadata().getDeletionTimestamp() != null) {
      stop(uid, pod);
      deleteNow(pod);
      return;
    }
    String nodeName = pod.getSpec().getNodeName();
    if (nodeName == null || nodeName.isEmpty()) {
      bind(pod);
      return;
    }
    if (runs.containsKey(uid) || !ours(nodeName) || terminal(pod)) {
      return;
    }
    Optional<PortMap> ports = PortMap.of(pod);
    if (ports.isEmpty()) {
      // Created with its node already set: record the port mapping first; the update brings the pod back here.
      annotate(pod, PortMap.allocate(pod));
      return;
    }
    PodRun run = new PodRun(node, pod, ports.get(), () -> markDirty(uid));
    runs.put(uid, run);
    run.start();
    markDirty(uid);
  }

  void onPodDeleted(Pod pod) {
    stop(pod.getMetadata().getUid(), pod);
  }

  /** The pods running on the node's Nodes (for the Service proxies and scrape targets). */
  boolean runs(Pod pod) {
    return runs.containsKey(pod.getMetadata().getUid());
  }

  void stopAll(Duration grace) {
    runs.values().forEach(run -> run.stop(grace));
  }

  private void stop(String uid, Pod pod) {
    PodRun run = runs.remove(uid);
    written.remove(uid);
    unschedulable.remove(uid);
    if (run != null) {
      Long seconds = pod.getMetadata().getDeletionGracePeriodSeconds() != null ? pod.getMetadata().getDeletionGracePeriodSeconds()
          : pod.getSpec().getTerminationGracePeriodSeconds();
      run.stop(Duration.ofSeconds(seconds == null ? 30 : seconds));
    }
  }

  private void deleteNow(Pod pod) {
    try {
      node.client().pods().inNamespace(pod.getMetadata().getNamespace()).withName(pod.getMetadata().getName()).withGracePeriod(0).delete();
    } catch (KubernetesClientException gone) {
      LOG.log(Level.FINE, "pod already gone", gone);
    }
  }

  private boolean ours(String nodeName) {
    return nodes.stream().anyMatch(n -> n.getMetadata().getName().equals(nodeName));
  }

  private static boolean terminal(Pod pod) {
    return pod.getStatus() != null && ("Succeeded".equals(pod.getStatus().getPhase()) || "Failed".equals(pod.getStatus().getPhase()));
  }

  private void bind(Pod pod) {
    Map<String, Integer> podsPerNode = new HashMap<>();
    runs.values().forEach(run -> podsPerNode.merge(run.pod().getSpec().getNodeName(), 1, Integer::sum));
    Optional<Node> chosen = Scheduling.pick(pod, nodes, podsPerNode);
    String namespace = pod.getMetadata().getNamespace();
    String name = pod.getMetadata().getName();
    try {
      if (chosen.isEmpty()) {
        if (unschedulable.add(pod.getMetadata().getUid())) {
          patchStatus(namespace, name, new PodStatusBuilder().withPhase("Pending")
              .withConditions(new PodConditionBuilder().withType("PodScheduled").withStatus("False").withReason("Unschedulable")
                  .withMessage(Scheduling.unschedulableMessage(nodes.size())).withLastTransitionTime(Timestamps.now()).build())
              .build());
        }
        return;
      }
      // Bound by setting spec.nodeName with the port mapping in one write (the sandbox's API accepts it; a real API
      // server would want the pods/binding subresource, but a real cluster has its own scheduler and kubelets).
      String ports = PortMap.allocate(pod).annotation();
      node.client().pods().inNamespace(namespace).withName(name).edit(p -> new PodBuilder(p)
          .editMetadata().addToAnnotations(PortMap.ANNOTATION, ports).endMetadata()
          .editSpec().withNodeName(chosen.get().getMetadata().getName()).endSpec()
          .build());
    } catch (KubernetesClientException failed) {
      if (failed.getCode() == 404) {
        return; // deleted meanwhile: its delete event follows
      }
      LOG.log(Level.WARNING, "cannot bind pod " + namespace + "/" + name + ": " + failed.getMessage());
    }
  }

  private void annotate(Pod pod, PortMap ports) {
    try {
      node.client().pods().inNamespace(pod.getMetadata().getNamespace()).withName(pod.getMetadata().getName())
          .edit(p -> new PodBuilder(p).editMetadata().addToAnnotations(PortMap.ANNOTATION, ports.annotation()).endMetadata().build());
    } catch (KubernetesClientException failed) {
      LOG.log(Level.WARNING, "cannot annotate pod " + pod.getMetadata().getName() + ": " + failed.getMessage());
    }
  }

  private void markDirty(String uid) {
    if (dirty.add(uid)) {
      node.loop().execute(() -> writeStatus(uid));
    }
  }

  private void writeStatus(String uid) {
    dirty.remove(uid);
    PodRun run = runs.get(uid);
    if (run == null) {
      return;
    }
    PodStatus status = run.status();
    if (status.equals(written.get(uid))) {
      return;
    }
    Pod pod = run.pod();
    try {
      patchStatus(pod.getMetadata().getNamespace(), pod.getMetadata().getName(), status);
      written.put(uid, status);
    } catch (KubernetesClientException failed) {
      if (failed.getCode() != 404) {
        LOG.log(Level.WARNING, "cannot write the status of pod " + pod.getMetadata().getName() + ": " + failed.getMessage());
        node.loop().schedule(() -> markDirty(uid), 1, java.util.concurrent.TimeUnit.SECONDS);
      }
    }
  }

  private void patchStatus(String namespace, String name, PodStatus status) {
    StatusPatch.replace(node.client().pods().inNamespace(namespace).withName(name), status);
  }
}
