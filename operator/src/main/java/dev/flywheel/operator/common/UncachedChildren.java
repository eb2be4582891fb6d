package dev.flywheel.operator.common;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.utils.Serialization;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

/**
 * Children of kinds whose CRDs may be missing from a cluster (a PodMonitor, an HTTPRoute), so no informer watches
 * them: each is compared with the API only when its desired state changed or once per recheck interval, so a
 * resync of an unchanged owner makes no API call; a drifted one is put back within that interval.
 */
@ApplicationScoped
public class UncachedChildren {
  static final Duration RECHECK = Duration.ofMinutes(10);

  /** An owner not seen for this long is gone (a live one is looked at every resync): its memory is dropped. */
  static final Duration FORGET = Duration.ofHours(1);
  private static final Duration SWEEP_EVERY = Duration.ofMinutes(1);

  private record Applied(String desiredJson, Instant checkedAt) {}

  private final Map<String, Map<String, Applied>> appliedByOwner = new ConcurrentHashMap<>();
  private final Map<String, Instant> lastSeen = new ConcurrentHashMap<>();
  private volatile Instant lastSweep = Instant.EPOCH;

  @Inject
  Clock clock;

  /**
   * Makes these children exist as desired and deletes the ones this operator applied for the owner before and
   * no longer wants. Returns the refusal of a kind the cluster does not serve (HTTP 404), if any.
   *
   * @param possible every child the owner could have (desired or not): the first time an owner is seen (after an
   *     operator restart nothing is remembered) the unwanted ones are looked up once and deleted if the owner owns them
   */
  public Optional<String> apply(KubernetesClient client, String ownerUid, List<GenericKubernetesResource> desired,
      List<GenericKubernetesResource> possible) {
    Instant now = clock.instant();
    lastSeen.put(ownerUid, now);
    forgetGoneOwners(now);
    boolean firstSight = !appliedByOwner.containsKey(ownerUid);
    Map<String, Applied> applied = appliedByOwner.computeIfAbsent(ownerUid, uid -> new ConcurrentHashMap<>());
    if (firstSight) {
      List<String> wantedKeys = desired.stream().map(UncachedChildren::key).toList();
      possible.stream().filter(p -> !wantedKeys.contains(key(p))).forEach(p -> deleteIfOwned(client, p, ownerUid));
    }
    Optional<String> refusal = Optional.empty();
    for (GenericKubernetesResource want : desired) {
      String key = key(want);
      String json = Serialization.asJson(want);
      Applied last = applied.get(key);
      if (last != null && last.desiredJson().equals(json) && now.isBefore(last.checkedAt().plus(RECHECK))) {
        continue;
      }
      try {
        GenericKubernetesResource have = client.genericKubernetesResources(want.getApiVersion(), want.getKind())
            .inNamespace(want.getMetadata().getNamespace()).withName(want.getMetadata().getName()).get();
        if (have == null) {
          client.resource(want).create();
        } else if (!OwnedChildren.contains(have, want)) {
          want.getMetadata().setResourceVersion(have.getMetadata().getResourceVersion());
          client.resource(want).update();
        }
        applied.put(key, new Applied(json, now));
      } catch (KubernetesClientException e) {
        if (!notServed(e)) {
          throw e;
        }
        refusal = Optional.of(want.getKind() + " (" + want.getApiVersion() + ") is not served by this cluster");
      }
    }
    List<String> wanted = desired.stream().map(UncachedChildren::key).toList();
    for (String key : applied.keySet().stream().filter(k -> !wanted.contains(k)).collect(Collectors.toList())) {
      String[] parts = key.split("\\|");
      try {
        client.genericKubernetesResources(parts[0], parts[1]).inNamespace(parts[2]).withName(parts[3]).delete();
      } catch (KubernetesClientException e) {
        if (!notServed(e)) {
          throw e;
        }
      }
      applied.remove(key);
    }
    return refusal;
  }

  /** Drops the memory of owners not seen for {@link #FORGET}; looks at most once a minute (not N owners per pass). */
  private void forgetGoneOwners(Instant now) {
    Instant last = lastSweep;
    if (now.isBefore(last.plus(SWEEP_EVERY))) {
      return;
    }
    lastSweep = now;
    lastSeen.entrySet().removeIf(owner -> {
      boolean gone = owner.getValue().plus(FORGET).isBefore(now);
      if (gone) {
        appliedByOwner.remove(owner.getKey());
      }
      return gone;
    });
  }

  private static void deleteIfOwned(KubernetesClient client, GenericKubernetesResource child, String ownerUid) {
    try {
      var resource = client.genericKubernetesResources(child.getApiVersion(), child.getKind()).inNamespace(child.getMetadata().getNamespace())
          .withName(child.getMetadata().getName());
      GenericKubernetesResource live = resource.get();
      if (OwnerReferences.ownedBy(live, ownerUid)) {
        resource.delete();
      }
    } catch (KubernetesClientException e) {
      if (!notServed(e)) {
        throw e;
      }
    }
  }

  /** The API answers 404, or fabric8 finds no such kind in discovery (code -1): the cluster does not serve it. */
  private static boolean notServed(KubernetesClientException e) {
    return e.getCode() == 404 || e.getCode() <= 0;
  }

  private static String key(GenericKubernetesResource r) {
    return r.getApiVersion() + "|" + r.getKind() + "|" + r.getMetadata().getNamespace() + "|" + r.getMetadata().getName();
  }
}
