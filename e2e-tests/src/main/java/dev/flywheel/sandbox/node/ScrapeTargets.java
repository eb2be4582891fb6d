package dev.flywheel.sandbox.node;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.logging.Logger;

/**
 * Prometheus' file_sd targets for the pods this node runs, written atomically (temp file + rename) whenever they change:
 * every Running pod that a PodMonitor (monitoring.coreos.com/v1) selects — its namespace, or the namespaceSelector's
 * {@code any}/{@code matchNames}; selector matchLabels and matchExpressions; each podMetricsEndpoint's named {@code port}
 * and {@code path} (default /metrics) — or that has the annotation {@code prometheus.io/scrape: "true"} (port from
 * {@code prometheus.io/port}, else the first declared port; path from {@code prometheus.io/path}, default /metrics).
 * Each target is {@code 127.0.0.1:<local port>} with the labels {@code namespace}, {@code pod}, {@code container} and
 * {@code __metrics_path__}.
 */
final class ScrapeTargets {
  private static final Logger LOG = Logger.getLogger(ScrapeTargets.class.getName());
  /** The Prometheus Operator's PodMonitors (the client needs the plural: it has no model class for them). */
  static final ResourceDefinitionContext POD_MONITORS = new ResourceDefinitionContext.Builder()
      .withGroup("monitoring.coreos.com").withVersion("v1").withKind("PodMonitor").withPlural("podmonitors").withNamespaced(true).build();

  private final Path file;
  private final Map<String, GenericKubernetesResource> podMonitors = new LinkedHashMap<>();
  private String written;

  ScrapeTargets(Path file) {
    this.file = file;
  }

  void onPodMonitor(GenericKubernetesResource monitor) {
    podMonitors.put(monitor.getMetadata().getNamespace() + "/" + monitor.getMetadata().getName(), monitor);
  }

  void onPodMonitorDeleted(GenericKubernetesResource monitor) {
    podMonitors.remove(monitor.getMetadata().getNamespace() + "/" + monitor.getMetadata().getName());
  }

  /** Rewrites the file if the targets of these running pods differ from the last ones written. */
  void refresh(Collection<Pod> pods) {
    List<Map<String, Object>> groups = new ArrayList<>();
    pods.stream().filter(pod -> "Running".equals(Pods.phase(pod)))
        .sorted(Comparator.comparing((Pod pod) -> pod.getMetadata().getNamespace()).thenComparing(pod -> pod.getMetadata().getName()))
        .forEach(pod -> PortMap.of(pod).ifPresent(ports -> groups.addAll(targets(pod, ports))));
    String json = Serialization.asJson(groups.stream().distinct().toList());
    if (json.equals(written)) {
      return;
    }
    try {
      Files.createDirectories(file.toAbsolutePath().getParent());
      Path temp = file.resolveSibling("." + file.getFileName() + ".tmp");
      Files.writeString(temp, json, StandardCharsets.UTF_8);
      Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      written = json;
    } catch (IOException failed) {
      LOG.warning("cannot write " + file + ": " + failed.getMessage());
    }
  }

  private List<Map<String, Object>> targets(Pod pod, PortMap ports) {
    List<Map<String, Object>> targets = new ArrayList<>();
    for (GenericKubernetesResource monitor : podMonitors.values()) {
      if (!selects(monitor, pod)) {
        continue;
      }
      for (Map<String, Object> endpoint : endpoints(monitor)) {
        Object port = endpoint.get("port") != null ? endpoint.get("port") : endpoint.get("targetPort");
        if (port == null) {
          continue;
        }
        String path = endpoint.get("path") == null ? "/metrics" : endpoint.get("path").toString();
        IntOrString target = port instanceof Number number ? new IntOrString(number.intValue()) : new IntOrString(port.toString());
        ports.local(pod, target).ifPresent(local -> targets.add(group(pod, containerOf(pod, target), local, path)));
      }
    }
    Map<String, String> annotations = pod.getMetadata().getAnnotations() == null ? Map.of() : pod.getMetadata().getAnnotations();
    if ("true".equals(annotations.get("prometheus.io/scrape"))) {
      String path = annotations.getOrDefault("prometheus.io/path", "/metrics");
      Optional<IntOrString> port = Optional.ofNullable(annotations.get("prometheus.io/port")).map(p -> new IntOrString(Integer.parseInt(p)))
          .or(() -> pod.getSpec().getContainers().stream().flatMap(c -> c.getPorts() == null ? java.util.stream.Stream.empty() : c.getPorts().stream())
              .findFirst().map(p -> new IntOrString(p.getContainerPort())));
      port.ifPresent(target -> ports.local(pod, target).ifPresent(local -> targets.add(group(pod, containerOf(pod, target), local, path))));
    }
    return targets;
  }

  private static Map<String, Object> group(Pod pod, String container, int port, String path) {
    Map<String, String> labels = new TreeMap<>();
    labels.put("namespace", pod.getMetadata().getNamespace());
    labels.put("pod", pod.getMetadata().getName());
    labels.put("container", container);
    labels.put("__metrics_path__", path);
    Map<String, Object> group = new LinkedHashMap<>();
    group.put("targets", List.of("127.0.0.1:" + port));
    group.put("labels", labels);
    return group;
  }

  private static String containerOf(Pod pod, IntOrString port) {
    for (Container container : pod.getSpec().getContainers()) {
      for (ContainerPort declared : container.getPorts() == null ? List.<ContainerPort>of() : container.getPorts()) {
        if (port.getStrVal() != null ? port.getStrVal().equals(declared.getName()) : Objects.equals(port.getIntVal(), declared.getContainerPort())) {
          return container.getName();
        }
      }
    }
    return pod.getSpec().getContainers().get(0).getName();
  }

  @SuppressWarnings("unchecked")
  private static List<Map<String, Object>> endpoints(GenericKubernetesResource monitor) {
    Object spec = monitor.getAdditionalProperties().get("spec");
    Object endpoints = spec instanceof Map<?, ?> map ? map.get("podMetricsEndpoints") : null;
    return endpoints instanceof List<?> list ? (List<Map<String, Object>>) list : List.of();
  }

  @SuppressWarnings("unchecked")
  private static boolean selects(GenericKubernetesResource monitor, Pod pod) {
    Object specObject = monitor.getAdditionalProperties().get("spec");
    if (!(specObject instanceof Map<?, ?> spec)) {
      return false;
    }
    Map<String, Object> namespaces = spec.get("namespaceSelector") instanceof Map<?, ?> map ? (Map<String, Object>) map : Map.of();
    String namespace = pod.getMetadata().getNamespace();
    boolean namespaceMatches = Boolean.TRUE.equals(namespaces.get("any"))
        || (namespaces.get("matchNames") instanceof List<?> names ? names.contains(namespace) : namespace.equals(monitor.getMetadata().getNamespace()));
    if (!namespaceMatches || !(spec.get("selector") instanceof Map<?, ?> selector)) {
      return false;
    }
    Map<String, String> labels = pod.getMetadata().getLabels() == null ? Map.of() : pod.getMetadata().getLabels();
    Map<String, Object> matchLabels = selector.get("matchLabels") instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
    if (!matchLabels.entrySet().stream().allMatch(e -> Objects.equals(labels.get(e.getKey()), String.valueOf(e.getValue())))) {
      return false;
    }
    List<Map<String, Object>> expressions = selector.get("matchExpressions") instanceof List<?> l ? (List<Map<String, Object>>) l : List.of();
    return expressions.stream().allMatch(expression -> {
      String value = labels.get(String.valueOf(expression.get("key")));
      List<?> values = expression.get("values") instanceof List<?> v ? v : List.of();
      return switch (String.valueOf(expression.get("operator"))) {
        case "In" -> value != null && values.contains(value);
        case "NotIn" -> value == null || !values.contains(value);
        case "Exists" -> value != null;
        case "DoesNotExist" -> value == null;
        default -> false;
      };
    });
  }
}
