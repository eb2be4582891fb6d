package dev.flywheel.sandbox.node;

import io.fabric8.kubernetes.api.model.Pod;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The pods of the node's namespaces as the informers last saw them, by controller, with the controllers' expectations
 * (pods created or deleted whose event has not arrived yet), so that a controller never creates or deletes twice while
 * its cache lags. Used on the loop thread only.
 */
final class PodIndex {
  private final Map<String, Pod> byUid = new LinkedHashMap<>();
  private final Map<String, Set<String>> createdNames = new HashMap<>();
  private final Set<String> deletedUids = new HashSet<>();

  void put(Pod pod) {
    byUid.put(pod.getMetadata().getUid(), pod);
    Pods.controllerUid(pod).ifPresent(owner -> {
      Set<String> names = createdNames.get(owner);
      if (names != null) {
        names.remove(pod.getMetadata().getName());
      }
    });
  }

  void remove(Pod pod) {
    byUid.remove(pod.getMetadata().getUid());
    deletedUids.remove(pod.getMetadata().getUid());
  }

  Collection<Pod> all() {
    return byUid.values();
  }

  /** The owner's pods, less those it deleted. */
  List<Pod> owned(String ownerUid) {
    return byUid.values().stream()
        .filter(pod -> Pods.controllerUid(pod).map(ownerUid::equals).orElse(false))
        .filter(pod -> !deletedUids.contains(pod.getMetadata().getUid()))
        .toList();
  }

  /** How many pods the owner created that the informer has not shown yet. */
  int pendingCreations(String ownerUid) {
    return createdNames.getOrDefault(ownerUid, Set.of()).size();
  }

  void expectCreated(String ownerUid, String podName) {
    createdNames.computeIfAbsent(ownerUid, owner -> new HashSet<>()).add(podName);
  }

  void creationFailed(String ownerUid, String podName) {
    createdNames.getOrDefault(ownerUid, new HashSet<>()).remove(podName);
  }

  void expectDeleted(Pod pod) {
    deletedUids.add(pod.getMetadata().getUid());
  }

  void forgetOwner(String ownerUid) {
    createdNames.remove(ownerUid);
  }
}
