package dev.flywheel.sandbox.node;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeSelectorRequirement;
import io.fabric8.kubernetes.api.model.NodeSelectorTerm;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Taint;
import io.fabric8.kubernetes.api.model.Toleration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The scheduler's filter, as kube-scheduler applies it: a pod fits a Node when every label of its nodeSelector matches,
 * one term of its required node affinity matches (In, NotIn, Exists, DoesNotExist, Gt, Lt), and it tolerates every
 * NoSchedule and NoExecute taint of the Node. Among fitting Nodes the one with the fewest pods wins (then by name).
 */
final class Scheduling {
  private Scheduling() {}

  /** The Node to run the pod on, given how many pods each Node runs; empty when none fits. */
  static Optional<Node> pick(Pod pod, List<Node> nodes, Map<String, Integer> podsPerNode) {
    return nodes.stream()
        .filter(node -> fits(pod, node))
        .min(Comparator.<Node>comparingInt(node -> podsPerNode.getOrDefault(node.getMetadata().getName(), 0))
            .thenComparing(node -> node.getMetadata().getName()));
  }

  static boolean fits(Pod pod, Node node) {
    Map<String, String> labels = node.getMetadata().getLabels() == null ? Map.of() : node.getMetadata().getLabels();
    Map<String, String> selector = pod.getSpec().getNodeSelector();
    if (selector != null && selector.entrySet().stream().anyMatch(e -> !Objects.equals(labels.get(e.getKey()), e.getValue()))) {
      return false;
    }
    if (!affinityMatches(pod, labels)) {
      return false;
    }
    List<Taint> taints = node.getSpec() == null || node.getSpec().getTaints() == null ? List.of() : node.getSpec().getTaints();
    List<Toleration> tolerations = pod.getSpec().getTolerations() == null ? List.of() : pod.getSpec().getTolerations();
    return taints.stream()
        .filter(taint -> !"PreferNoSchedule".equals(taint.getEffect()))
        .allMatch(taint -> tolerations.stream().anyMatch(toleration -> tolerates(toleration, taint)));
  }

  /** Why no Node fits, in the scheduler's words. */
  static String unschedulableMessage(int nodes) {
    return "0/" + nodes + " nodes are available: " + nodes + " node(s) didn't match Pod's node affinity/selector or had untolerated taints.";
  }

  private static boolean affinityMatches(Pod pod, Map<String, String> labels) {
    var affinity = pod.getSpec().getAffinity();
    if (affinity == null || affinity.getNodeAffinity() == null
        || affinity.getNodeAffinity().getRequiredDuringSchedulingIgnoredDuringExecution() == null) {
      return true;
    }
    List<NodeSelectorTerm> terms = affinity.getNodeAffinity().getRequiredDuringSchedulingIgnoredDuringExecution().getNodeSelectorTerms();
    return terms == null || terms.isEmpty() || terms.stream().anyMatch(term -> termMatches(term, labels));
  }

  private static boolean termMatches(NodeSelectorTerm term, Map<String, String> labels) {
    List<NodeSelectorRequirement> expressions = term.getMatchExpressions() == null ? List.of() : term.getMatchExpressions();
    return expressions.stream().allMatch(requirement -> requirementMatches(requirement, labels));
  }

  private static boolean requirementMatches(NodeSelectorRequirement requirement, Map<String, String> labels) {
    String value = labels.get(requirement.getKey());
    List<String> values = requirement.getValues() == null ? List.of() : requirement.getValues();
    return switch (requirement.getOperator()) {
      case "In" -> value != null && values.contains(value);
      case "NotIn" -> value == null || !values.contains(value);
      case "Exists" -> value != null;
      case "DoesNotExist" -> value == null;
      case "Gt" -> value != null && !values.isEmpty() && number(value) > number(values.get(0));
      case "Lt" -> value != null && !values.isEmpty() && number(value) < number(values.get(0));
      default -> false;
    };
  }

  private static long number(String text) {
    try {
      return Long.parseLong(text);
    } catch (NumberFormatException notANumber) {
      return Long.MIN_VALUE;
    }
  }

  private static boolean tolerates(Toleration toleration, Taint taint) {
    if (toleration.getEffect() != null && !toleration.getEffect().isEmpty() && !toleration.getEffect().equals(taint.getEffect())) {
      return false;
    }
    if (toleration.getKey() == null || toleration.getKey().isEmpty()) {
      return "Exists".equals(toleration.getOperator());
    }
    if (!toleration.getKey().equals(taint.getKey())) {
      return false;
    }
    return "Exists".equals(toleration.getOperator()) || Objects.equals(nullToEmpty(toleration.getValue()), nullToEmpty(taint.getValue()));
  }

  private static String nullToEmpty(String text) {
    return text == null ? "" : text;
  }
}
