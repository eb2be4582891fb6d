package dev.flywheel.sandbox.node;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.fabric8.kubernetes.api.model.PodIP;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A pod the kubelet runs on this machine: its containers ({@link ContainerRun}) and the pod status Kubernetes would
 * report: phase (Pending until every container has started once, Running while any runs or will restart, Succeeded when
 * all ended with 0 and none restarts, Failed when all ended and one failed), conditions PodScheduled, Initialized,
 * ContainersReady and Ready (each keeps its lastTransitionTime until its status changes), podIP 127.0.0.1,
 * containerStatuses.
 */
final class PodRun {
  private final Pod pod;
  private final List<ContainerRun> containers = new ArrayList<>();
  private final Map<String, PodCondition> conditions = new LinkedHashMap<>();
  private final String startTime = Timestamps.now();
  private boolean everRunning;

  PodRun(NodeContext node, Pod pod, PortMap ports, Runnable changed) {
    this.pod = pod;
    for (Container container : pod.getSpec().getContainers()) {
      containers.add(new ContainerRun(node, pod, container, LocalPaths.of(node.settings().workDir(), pod, container), ports, changed));
    }
  }

  Pod pod() {
    return pod;
  }

  void start() {
    containers.forEach(ContainerRun::start);
  }

  void stop(Duration grace) {
    containers.forEach(container -> container.stop(grace));
  }

  boolean finished() {
    return containers.stream().allMatch(ContainerRun::finished);
  }

  PodStatus status() {
    List<ContainerStatus> statuses = containers.stream().map(ContainerRun::status).toList();
    everRunning |= containers.stream().allMatch(c -> c.running() || c.restartCount() > 0 || c.finished());
    boolean allReady = containers.stream().allMatch(c -> c.ready() && c.running());
    String phase = phase(statuses);
    boolean podReady = allReady && "Running".equals(phase);
    condition("PodScheduled", true, null);
    condition("Initialized", true, null);
    condition("ContainersReady", podReady, podReady ? null : "ContainersNotReady");
    condition("Ready", podReady, podReady ? null : "ContainersNotReady");
    if ("Succeeded".equals(phase) || "Failed".equals(phase)) {
      condition("ContainersReady", false, "PodCompleted");
      condition("Ready", false, "PodCompleted");
    }
    return new PodStatusBuilder()
        .withPhase(phase)
        .withConditions(new ArrayList<>(conditions.values()))
        .withHostIP("127.0.0.1")
        .withPodIP("127.0.0.1")
        .withPodIPs(new PodIP("127.0.0.1"))
        .withStartTime(startTime)
        .withQosClass("BestEffort")
        .withContainerStatuses(statuses)
        .build();
  }

  private String phase(List<ContainerStatus> statuses) {
    if (finished()) {
      boolean failed = statuses.stream().anyMatch(s -> s.getState().getTerminated() != null && s.getState().getTerminated().getExitCode() != 0);
      return failed ? "Failed" : "Succeeded";
    }
    return everRunning ? "Running" : "Pending";
  }

  private void condition(String type, boolean status, String reason) {
    String value = status ? "True" : "False";
    PodCondition previous = conditions.get(type);
    if (previous != null && previous.getStatus().equals(value) && java.util.Objects.equals(previous.getReason(), reason)) {
      return;
    }
    String since = previous != null && previous.getStatus().equals(value) ? previous.getLastTransitionTime() : Timestamps.now();
    conditions.put(type, new PodConditionBuilder().withType(type).withStatus(value).withReason(reason)
        .withMessage(reason == null || "PodCompleted".equals(reason) ? null : "containers with unready status: " + unready())
        .withLastTransitionTime(since).withLastProbeTime(null).build());
  }

  private String unready() {
    return containers.stream().filter(c -> !(c.ready() && c.running())).map(c -> c.status().getName()).toList().toString().replace(",", "");
  }
}
