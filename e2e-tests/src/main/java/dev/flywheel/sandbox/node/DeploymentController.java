package dev.flywheel.sandbox.node;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentCondition;
import io.fabric8.kubernetes.api.model.apps.DeploymentConditionBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatus;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.logging.Logger;

/**
 * The Deployment controller, without ReplicaSets: the Deployment owns its pods directly, each labelled with the
 * {@code pod-template-hash} of the template it was made from. A RollingUpdate creates pods of the current template while
 * the total stays within replicas + maxSurge (default 25 %, rounded up) and removes pods of older templates (not-ready ones
 * first) while the available ones stay at least replicas − maxUnavailable (default 25 %, rounded down; 1 if both are 0);
 * Recreate removes every old pod before creating new ones; scaling removes surplus pods, not-ready and newest first.
 * A pod is available once ready for minReadySeconds. Status: observedGeneration, replicas, updatedReplicas,
 * readyReplicas, availableReplicas, unavailableReplicas, conditions Available (MinimumReplicasAvailable /
 * MinimumReplicasUnavailable) and Progressing (NewReplicaSetCreated, ReplicaSetUpdated while the counts move,
 * NewReplicaSetAvailable when done, False ProgressDeadlineExceeded after progressDeadlineSeconds — default 600 — without
 * progress), written only when it changed.
 */
final class DeploymentController {
  private static final Logger LOG = Logger.getLogger(DeploymentController.class.getName());
  static final String HASH_LABEL = "pod-template-hash";
  private static final ObjectMapper CANONICAL = Serialization.jsonMapper().copy().configure(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, true);

  private final NodeContext node;
  private final PodIndex pods;
  private final PodControl control;
  private final Function<String, Deployment> lookup;

  DeploymentController(NodeContext node, PodIndex pods, PodControl control, Function<String, Deployment> lookup) {
    this.node = node;
    this.pods = pods;
    this.control = control;
    this.lookup = lookup;
  }

  void onDeleted(Deployment deployment) {
    pods.owned(deployment.getMetadata().getUid()).forEach(control::delete);
    pods.forgetOwner(deployment.getMetadata().getUid());
  }

  void reconcile(Deployment deployment) {
    String uid = deployment.getMetadata().getUid();
    var spec = deployment.getSpec();
    int desired = spec.getReplicas() == null ? 1 : spec.getReplicas();
    String hash = templateHash(deployment);
    List<Pod> owned = new ArrayList<>(pods.owned(uid));
    owned.stream().filter(Pods::terminal).forEach(control::delete);
    owned.removeIf(Pods::terminal);
    List<Pod> fresh = owned.stream().filter(pod -> hash.equals(label(pod))).toList();
    List<Pod> old = owned.stream().filter(pod -> !hash.equals(label(pod))).toList();
    int minReadySeconds = spec.getMinReadySeconds() == null ? 0 : spec.getMinReadySeconds();
    boolean recreate = spec.getStrategy() != null && "Recreate".equals(spec.getStrategy().getType());
    int maxSurge = recreate ? 0 : resolve(rolling(spec, true), desired, true, "25%");
    int maxUnavailable = recreate ? desired : resolve(rolling(spec, false), desired, false, "25%");
    if (maxSurge == 0 && maxUnavailable == 0) {
      maxUnavailable = 1;
    }
    int pending = pods.pendingCreations(uid);
    int freshCount = fresh.size() + pending;
    if (!Boolean.TRUE.equals(spec.getPaused())) {
      if (recreate && !old.isEmpty()) {
        old.forEach(control::delete);
      } else {
        int room = recreate ? desired - freshCount : Math.min(desired - freshCount, desired + maxSurge - freshCount - old.size());
        String prefix = deployment.getMetadata().getName() + "-" + hash;
        for (int i = 0; i < room; i++) {
          control.create(uid, Pods.fromTemplate(spec.getTemplate(), deployment, prefix, Map.of(HASH_LABEL, hash)));
        }
        if (!old.isEmpty()) {
          scaleDownOld(old, fresh, desired - maxUnavailable, minReadySeconds);
        } else if (freshCount > desired) {
          fresh.stream().sorted(surplusFirst()).limit(Math.min(freshCount - desired, fresh.size())).forEach(control::delete);
        }
      }
    }
    writeStatus(deployment, owned, fresh, desired, maxUnavailable, minReadySeconds, hash);
  }

  /** Removes not-ready old pods, then ready ones while at least {@code minAvailable} pods stay available. */
  private void scaleDownOld(List<Pod> old, List<Pod> fresh, int minAvailable, int minReadySeconds) {
    old.stream().filter(pod -> !Pods.ready(pod)).forEach(control::delete);
    List<Pod> readyOld = old.stream().filter(Pods::ready).sorted(surplusFirst()).toList();
    long available = fresh.stream().filter(pod -> available(pod, minReadySeconds)).count()
        + readyOld.stream().filter(pod -> available(pod, minReadySeconds)).count();
    long removable = Math.max(0, available - minAvailable);
    readyOld.stream().limit(removable).forEach(control::delete);
  }

  private static Comparator<Pod> surplusFirst() {
    return Comparator.<Pod, Boolean>comparing(Pods::ready)
        .thenComparing(pod -> pod.getMetadata().getCreationTimestamp() == null ? "" : pod.getMetadata().getCreationTimestamp(),
            Comparator.reverseOrder());
  }

  private boolean available(Pod pod, int minReadySeconds) {
    return Pods.readySince(pod).map(since -> !since.plusSeconds(minReadySeconds).isAfter(Instant.now())).orElse(false);
  }

  private void writeStatus(Deployment deployment, List<Pod> owned, List<Pod> fresh, int desired, int maxUnavailable,
      int minReadySeconds, String hash) {
    DeploymentStatus current = deployment.getStatus() == null ? new DeploymentStatus() : deployment.getStatus();
    int ready = (int) owned.stream().filter(Pods::ready).count();
    int available = (int) owned.stream().filter(pod -> available(pod, minReadySeconds)).count();
    int freshAvailable = (int) fresh.stream().filter(pod -> available(pod, minReadySeconds)).count();
    owned.stream().filter(pod -> Pods.ready(pod) && !available(pod, minReadySeconds)).findAny()
        .ifPresent(pod -> wake(deployment.getMetadata().getUid(), Duration.ofSeconds(minReadySeconds)));
    int total = owned.size();
    String replicaSet = deployment.getMetadata().getName() + "-" + hash;
    boolean complete = fresh.size() == desired && total == desired && freshAvailable >= desired;
    boolean moved = !Objects.equals(current.getReplicas(), total) || !Objects.equals(current.getUpdatedReplicas(), fresh.size())
        || !Objects.equals(current.getReadyReplicas(), ready) || !Objects.equals(current.getAvailableReplicas(), available)
        || !Objects.equals(current.getObservedGeneration(), deployment.getMetadata().getGeneration());
    List<DeploymentCondition> conditions = new ArrayList<>();
    boolean minimum = available >= desired - maxUnavailable;
    conditions.add(condition(current, "Available", minimum, minimum ? "MinimumReplicasAvailable" : "MinimumReplicasUnavailable",
        minimum ? "Deployment has minimum availability." : "Deployment does not have minimum availability.", false));
    conditions.add(progressing(deployment, current, complete, moved, replicaSet));
    DeploymentStatus status = new DeploymentStatusBuilder()
        .withObservedGeneration(deployment.getMetadata().getGeneration())
        .withReplicas(total)
        .withUpdatedReplicas(fresh.size())
        .withReadyReplicas(ready)
        .withAvailableReplicas(available)
        .withUnavailableReplicas(Math.max(0, Math.max(desired, total) - available))
        .withConditions(conditions)
        .build();
    if (Objects.equals(status, deployment.getStatus())) {
      return;
    }
    try {
      StatusPatch.replace(node.client().apps().deployments().inNamespace(deployment.getMetadata().getNamespace())
          .withName(deployment.getMetadata().getName()), status);
    } catch (KubernetesClientException failed) {
      if (failed.getCode() == 404) {
        return; // deleted meanwhile: its delete event follows
      }
      LOG.warning("cannot write the status of Deployment " + deployment.getMetadata().getName() + ": " + failed.getMessage());
    }
  }

  private DeploymentCondition progressing(Deployment deployment, DeploymentStatus current, boolean complete, boolean moved, String replicaSet) {
    DeploymentCondition previous = find(current, "Progressing");
    int deadline = deployment.getSpec().getProgressDeadlineSeconds() == null ? 600 : deployment.getSpec().getProgressDeadlineSeconds();
    if (complete) {
      return condition(current, "Progressing", true, "NewReplicaSetAvailable", "ReplicaSet \"" + replicaSet + "\" has successfully progressed.",
          previous == null || !"NewReplicaSetAvailable".equals(previous.getReason()));
    }
    boolean newTemplate = previous == null || !previous.getMessage().contains("\"" + replicaSet + "\"");
    if (moved || newTemplate) {
      wake(deployment.getMetadata().getUid(), Duration.ofSeconds(deadline));
      return condition(current, "Progressing", true, newTemplate ? "NewReplicaSetCreated" : "ReplicaSetUpdated",
          newTemplate ? "Created new replica set \"" + replicaSet + "\"" : "ReplicaSet \"" + replicaSet + "\" is progressing.", true);
    }
    if ("ProgressDeadlineExceeded".equals(previous.getReason())) {
      return previous;
    }
    Instant lastUpdate = previous.getLastUpdateTime() == null ? Instant.EPOCH : Timestamps.parse(previous.getLastUpdateTime());
    if (Instant.now().isAfter(lastUpdate.plusSeconds(deadline))) {
      return condition(current, "Progressing", false, "ProgressDeadlineExceeded", "ReplicaSet \"" + replicaSet + "\" has timed out progressing.", true);
    }
    return previous;
  }

  private static DeploymentCondition condition(DeploymentStatus current, String type, boolean status, String reason, String message, boolean update) {
    DeploymentCondition previous = find(current, type);
    String value = status ? "True" : "False";
    String now = Timestamps.now();
    boolean same = previous != null && value.equals(previous.getStatus());
    return new DeploymentConditionBuilder().withType(type).withStatus(value).withReason(reason).withMessage(message)
        .withLastTransitionTime(same ? previous.getLastTransitionTime() : now)
        .withLastUpdateTime(same && !update && reason.equals(previous.getReason()) ? previous.getLastUpdateTime() : now)
        .build();
  }

  private static DeploymentCondition find(DeploymentStatus status, String type) {
    return status.getConditions() == null ? null : status.getConditions().stream().filter(c -> type.equals(c.getType())).findFirst().orElse(null);
  }

  private void wake(String uid, Duration after) {
    node.loop().schedule(() -> {
      Deployment deployment = lookup.apply(uid);
      if (deployment != null) {
        reconcile(deployment);
      }
    }, after.toMillis() + 100, TimeUnit.MILLISECONDS);
  }

  private static String label(Pod pod) {
    return pod.getMetadata().getLabels() == null ? null : pod.getMetadata().getLabels().get(HASH_LABEL);
  }

  private static IntOrString rolling(io.fabric8.kubernetes.api.model.apps.DeploymentSpec spec, boolean surge) {
    var strategy = spec.getStrategy();
    if (strategy == null || strategy.getRollingUpdate() == null) {
      return null;
    }
    return surge ? strategy.getRollingUpdate().getMaxSurge() : strategy.getRollingUpdate().getMaxUnavailable();
  }

  /** An int-or-percent of the replicas, rounded up (maxSurge) or down (maxUnavailable). */
  static int resolve(IntOrString value, int replicas, boolean roundUp, String byDefault) {
    IntOrString given = value == null ? new IntOrString(byDefault) : value;
    if (given.getIntVal() != null) {
      return given.getIntVal();
    }
    String text = given.getStrVal();
    if (!text.endsWith("%")) {
      return Integer.parseInt(text);
    }
    double share = replicas * Integer.parseInt(text.substring(0, text.length() - 1)) / 100.0;
    return (int) (roundUp ? Math.ceil(share) : Math.floor(share));
  }

  /** A short digest of the pod template, stable across map orders. */
  static String templateHash(Deployment deployment) {
    try {
      byte[] json = CANONICAL.writeValueAsString(deployment.getSpec().getTemplate()).getBytes(StandardCharsets.UTF_8);
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(json)).substring(0, 10);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
