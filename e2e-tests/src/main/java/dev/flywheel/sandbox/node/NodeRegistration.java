package dev.flywheel.sandbox.node;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.NodeConditionBuilder;
import io.fabric8.kubernetes.api.model.NodeStatus;
import io.fabric8.kubernetes.api.model.NodeStatusBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Taint;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.util.List;
import java.util.Map;

/**
 * Registers the node's Nodes as a kubelet does: the given name, labels (plus {@code kubernetes.io/hostname}) and taints,
 * with status Ready, address 127.0.0.1, and this machine's CPUs and memory as capacity. Also builds such Nodes.
 */
public final class NodeRegistration {
  private NodeRegistration() {}

  /** A Node to give {@link LocalNode.Builder#node}: a name, labels (a Site's node selector matches them) and taints. */
  public static Node node(String name, Map<String, String> labels, List<Taint> taints) {
    return new NodeBuilder().withNewMetadata().withName(name).withLabels(labels).endMetadata()
        .withNewSpec().withTaints(taints).endSpec().build();
  }

  static void register(KubernetesClient client, List<Node> nodes) {
    for (Node given : nodes) {
      String name = given.getMetadata().getName();
      Node node = new NodeBuilder(given)
          .editMetadata().addToLabels("kubernetes.io/hostname", name).addToLabels("kubernetes.io/os", "linux").endMetadata()
          .withStatus(null)
          .build();
      node.getMetadata().setResourceVersion(null);
      Node existing = client.nodes().withName(name).get();
      if (existing == null) {
        client.nodes().resource(node).create();
      } else {
        client.nodes().withName(name).patch(PatchContext.of(PatchType.JSON_MERGE), node);
      }
      StatusPatch.replace(client.nodes().withName(name), status());
    }
  }

  private static NodeStatus status() {
    String now = Timestamps.now();
    Map<String, Quantity> capacity = Map.of(
        "cpu", new Quantity(String.valueOf(Runtime.getRuntime().availableProcessors())),
        "memory", new Quantity(String.valueOf(totalMemory())),
        "pods", new Quantity("110"));
    return new NodeStatusBuilder()
        .withConditions(new NodeConditionBuilder().withType("Ready").withStatus("True").withReason("KubeletReady")
            .withMessage("kubelet is posting ready status").withLastHeartbeatTime(now).withLastTransitionTime(now).build())
        .addNewAddress().withType("InternalIP").withAddress("127.0.0.1").endAddress()
        .addNewAddress().withType("Hostname").withAddress("localhost").endAddress()
        .withCapacity(capacity)
        .withAllocatable(capacity)
        .withNewNodeInfo().withKubeletVersion("v1.32.0-flywheel-sandbox").withOperatingSystem("linux").withArchitecture("amd64")
          .withContainerRuntimeVersion("flywheel-sandbox://local-processes").endNodeInfo()
        .build();
  }

  private static long totalMemory() {
    if (java.lang.management.ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
      return os.getTotalMemorySize();
    }
    return Runtime.getRuntime().maxMemory();
  }
}
