package dev.flywheel.sandbox.node;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.flywheel.sandbox.Ports;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The loopback ports a pod's containers really listen on: every declared containerPort gets a free one, recorded on the
 * pod in the {@value #ANNOTATION} annotation as {@code {"<container>/<containerPort>": <local port>, ...}} plus
 * {@code "<port name>": <local port>} for named ports. Rule for the arguments: a value right after a flag whose name ends
 * in {@code port} ({@code --port 8080}, {@code --grpc-port 9000}, or {@code --port=8080}) that equals one of the
 * container's declared ports is replaced with its local port; nothing else is touched.
 */
final class PortMap {
  static final String ANNOTATION = "sandbox.flywheel.dev/ports";

  private final Map<String, Integer> ports;

  private PortMap(Map<String, Integer> ports) {
    this.ports = ports;
  }

  /** Free loopback ports for every declared port of the pod. */
  static PortMap allocate(Pod pod) {
    Map<String, Integer> ports = new LinkedHashMap<>();
    for (Container container : pod.getSpec().getContainers()) {
      for (ContainerPort port : container.getPorts() == null ? List.<ContainerPort>of() : container.getPorts()) {
        int local = Ports.free();
        ports.put(container.getName() + "/" + port.getContainerPort(), local);
        if (port.getName() != null && !port.getName().isEmpty()) {
          ports.put(port.getName(), local);
        }
      }
    }
    return new PortMap(ports);
  }

  /** The mapping recorded on a pod, if it has one. */
  static Optional<PortMap> of(Pod pod) {
    String json = pod.getMetadata().getAnnotations() == null ? null : pod.getMetadata().getAnnotations().get(ANNOTATION);
    if (json == null) {
      return Optional.empty();
    }
    try {
      return Optional.of(new PortMap(Serialization.jsonMapper().readValue(json, new TypeReference<LinkedHashMap<String, Integer>>() {})));
    } catch (Exception notAMapping) {
      return Optional.empty();
    }
  }

  String annotation() {
    try {
      return Serialization.jsonMapper().writeValueAsString(ports);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** The local port of a container's port given by name or number (a number no container declares stays itself). */
  Optional<Integer> local(Container container, IntOrString port) {
    if (port == null) {
      return Optional.empty();
    }
    if (port.getStrVal() != null) {
      Integer named = ports.get(port.getStrVal());
      if (named != null || !port.getStrVal().matches("\\d+")) {
        return Optional.ofNullable(named);
      }
      return local(container, Integer.parseInt(port.getStrVal()));
    }
    return local(container, port.getIntVal());
  }

  /** The local port of a pod's port by name or number, whichever container declares it. */
  Optional<Integer> local(Pod pod, IntOrString port) {
    if (port != null && port.getStrVal() != null && !port.getStrVal().matches("\\d+")) {
      return Optional.ofNullable(ports.get(port.getStrVal()));
    }
    int number = port == null ? -1 : port.getIntVal() != null ? port.getIntVal() : Integer.parseInt(port.getStrVal());
    return pod.getSpec().getContainers().stream()
        .map(container -> ports.get(container.getName() + "/" + number))
        .filter(java.util.Objects::nonNull)
        .findFirst();
  }

  private Optional<Integer> local(Container container, int number) {
    return Optional.of(ports.getOrDefault(container.getName() + "/" + number, number));
  }

  /** The arguments with declared ports after a {@code …port} flag replaced by their local ports. */
  List<String> rewriteArgs(Container container, List<String> args) {
    List<String> rewritten = new ArrayList<>(args);
    for (int i = 0; i < rewritten.size(); i++) {
      String arg = rewritten.get(i);
      int equals = arg.indexOf('=');
      if (arg.startsWith("-") && equals > 0 && isPortFlag(arg.substring(0, equals))) {
        rewritten.set(i, arg.substring(0, equals + 1) + remap(container, arg.substring(equals + 1)));
      } else if (arg.startsWith("-") && equals < 0 && isPortFlag(arg) && i + 1 < rewritten.size()) {
        rewritten.set(i + 1, remap(container, rewritten.get(i + 1)));
        i++;
      }
    }
    return rewritten;
  }

  private static boolean isPortFlag(String flag) {
    return flag.toLowerCase(Locale.ROOT).endsWith("port");
  }

  private String remap(Container container, String value) {
    Integer local = value.matches("\\d{1,5}") ? ports.get(container.getName() + "/" + value) : null;
    return local == null ? value : String.valueOf(local);
  }
}
