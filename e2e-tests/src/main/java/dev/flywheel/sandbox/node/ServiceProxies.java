package dev.flywheel.sandbox.node;

import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * kube-proxy for the node: every Service with a selector (ClusterIP, NodePort or LoadBalancer; not headless, not
 * ExternalName) gets one {@link TcpProxy} per service port, whose endpoints are the ready pods of its namespace that the
 * selector matches and that this node runs, at the local port of the targetPort (by name or number; none: the port's
 * number). Proxies live as long as their Service and port; endpoints follow every pod change.
 */
final class ServiceProxies implements AutoCloseable {
  private final Map<String, Map<Integer, TcpProxy>> proxies = new ConcurrentHashMap<>();
  private final Map<String, Service> services = new ConcurrentHashMap<>();

  void onService(Service service) {
    String key = key(service.getMetadata().getNamespace(), service.getMetadata().getName());
    if (!proxied(service)) {
      onServiceDeleted(service);
      return;
    }
    services.put(key, service);
    Map<Integer, TcpProxy> ports = proxies.computeIfAbsent(key, k -> new ConcurrentHashMap<>());
    List<Integer> wanted = service.getSpec().getPorts().stream().map(ServicePort::getPort).toList();
    ports.entrySet().removeIf(entry -> {
      if (!wanted.contains(entry.getKey())) {
        entry.getValue().close();
        return true;
      }
      return false;
    });
    for (Integer port : wanted) {
      ports.computeIfAbsent(port, p -> open(key + ":" + p));
    }
  }

  void onServiceDeleted(Service service) {
    String key = key(service.getMetadata().getNamespace(), service.getMetadata().getName());
    services.remove(key);
    Map<Integer, TcpProxy> ports = proxies.remove(key);
    if (ports != null) {
      ports.values().forEach(TcpProxy::close);
    }
  }

  /** Points every proxy at the ready pods among {@code pods} (the ones this node runs). */
  void refresh(Collection<Pod> pods) {
    services.forEach((key, service) -> {
      Map<Integer, TcpProxy> ports = proxies.get(key);
      if (ports == null) {
        return;
      }
      List<Pod> ready = pods.stream()
          .filter(pod -> pod.getMetadata().getNamespace().equals(service.getMetadata().getNamespace()))
          .filter(pod -> selects(service.getSpec().getSelector(), pod))
          .filter(Pods::ready)
          .sorted(Comparator.comparing(pod -> pod.getMetadata().getName()))
          .toList();
      for (ServicePort servicePort : service.getSpec().getPorts()) {
        TcpProxy proxy = ports.get(servicePort.getPort());
        if (proxy == null) {
          continue;
        }
        IntOrString target = servicePort.getTargetPort() != null ? servicePort.getTargetPort() : new IntOrString(servicePort.getPort());
        List<Integer> endpoints = ready.stream()
            .map(pod -> PortMap.of(pod).flatMap(map -> map.local(pod, target)))
            .flatMap(Optional::stream)
            .toList();
        if (!endpoints.equals(proxy.endpoints())) {
          proxy.endpoints(endpoints);
        }
      }
    });
  }

  Optional<Integer> port(String namespace, String name, int servicePort) {
    return Optional.ofNullable(proxies.get(key(namespace, name))).map(ports -> ports.get(servicePort)).map(TcpProxy::port);
  }

  /** The local ports the Service's port now spreads over. */
  List<Integer> endpoints(String namespace, String name, int servicePort) {
    return Optional.ofNullable(proxies.get(key(namespace, name))).map(ports -> ports.get(servicePort))
        .map(TcpProxy::endpoints).orElse(List.of());
  }

  static boolean selects(Map<String, String> selector, Pod pod) {
    Map<String, String> labels = pod.getMetadata().getLabels() == null ? Map.of() : pod.getMetadata().getLabels();
    return selector != null && !selector.isEmpty() && selector.entrySet().stream().allMatch(e -> Objects.equals(labels.get(e.getKey()), e.getValue()));
  }

  private static boolean proxied(Service service) {
    var spec = service.getSpec();
    return spec != null && spec.getSelector() != null && !spec.getSelector().isEmpty() && spec.getPorts() != null
        && !"ExternalName".equals(spec.getType()) && !"None".equals(spec.getClusterIP());
  }

  private static TcpProxy open(String name) {
    try {
      return new TcpProxy(name);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String key(String namespace, String name) {
    return namespace + "/" + name;
  }

  @Override
  public void close() {
    proxies.values().forEach(ports -> ports.values().forEach(TcpProxy::close));
    proxies.clear();
    services.clear();
  }
}
