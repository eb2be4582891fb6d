package dev.flywheel.operator.common;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Makes the children of a resource what a pure builder says they should be: creates the missing, puts back the
 * drifted (a child whose desired fields are not all in the stored one — fields the API server or other
 * controllers add are left alone), and deletes the owned ones no longer wanted. Stored children come from
 * informer caches, so a child that did not drift costs no API call.
 */
public final class OwnedChildren {
  /** What one pass did, for Events and tests. */
  public record Changes(List<String> created, List<String> updated, List<String> deleted) {
    public boolean any() {
      return !created.isEmpty() || !updated.isEmpty() || !deleted.isEmpty();
    }
  }

  private OwnedChildren() {}

  /**
   * @param desired every child that should exist
   * @param stored the owner's children of the managed kinds as the caches hold them (only those owned by it are deleted)
   * @param ownerUid the owner's uid
   */
  public static Changes apply(KubernetesClient client, List<? extends HasMetadata> desired, List<? extends HasMetadata> stored, String ownerUid) {
    Function<HasMetadata, String> key = r -> r.getKind() + "/" + r.getMetadata().getName();
    Map<String, HasMetadata> byKey = stored.stream().collect(Collectors.toMap(key, r -> r, (a, b) -> a));
    List<String> created = new java.util.ArrayList<>();
    List<String> updated = new java.util.ArrayList<>();
    List<String> deleted = new java.util.ArrayList<>();
    for (HasMetadata want : desired) {
      HasMetadata have = byKey.get(key.apply(want));
      if (have == null) {
        try {
          client.resource(want).create();
          created.add(key.apply(want));
        } catch (KubernetesClientException e) {
          if (e.getCode() != 409) {
            throw e;
          }
          // It exists but the cache does not show it (behind, or its labels were edited away): compare the live one.
          HasMetadata live = client.resource(want).get();
          boolean ours = OwnerReferences.ownedBy(live, ownerUid);
          if (live != null && !ours) {
            throw new IllegalStateException(key.apply(want) + " exists and belongs to something else: rename or delete it");
          }
          if (live != null && !contains(live, want)) {
            want.getMetadata().setResourceVersion(live.getMetadata().getResourceVersion());
            client.resource(want).update();
            updated.add(key.apply(want));
          }
        }
      } else if (!contains(have, want)) {
        want.getMetadata().setResourceVersion(have.getMetadata().getResourceVersion());
        client.resource(want).update();
        updated.add(key.apply(want));
      }
    }
    Set<String> wanted = desired.stream().map(key).collect(Collectors.toSet());
    for (HasMetadata have : stored) {
      boolean owned = OwnerReferences.ownedBy(have, ownerUid);
      if (owned && !wanted.contains(key.apply(have))) {
        client.resource(have).delete();
        deleted.add(key.apply(have));
      }
    }
    return new Changes(created, updated, deleted);
  }

  /** Whether every field the desired child sets has the same value in the stored one (labels, annotations, owners, spec, data). */
  public static boolean contains(HasMetadata stored, HasMetadata desired) {
    JsonNode have = Serialization.jsonMapper().valueToTree(stored);
    JsonNode want = Serialization.jsonMapper().valueToTree(desired);
    for (String field : List.of("spec", "data", "stringData")) {
      if (want.has(field) && !subset(want.get(field), have.get(field))) {
        return false;
      }
    }
    JsonNode wantMeta = want.path("metadata");
    JsonNode haveMeta = have.path("metadata");
    for (String field : List.of("labels", "annotations", "ownerReferences")) {
      if (wantMeta.has(field) && !subset(wantMeta.get(field), haveMeta.get(field))) {
        return false;
      }
    }
    return true;
  }

  private static boolean subset(JsonNode want, JsonNode have) {
    if (want == null || want.isNull()) {
      return true;
    }
    if (have == null || have.isNull()) {
      return want.isEmpty() && (want.isObject() || want.isArray());
    }
    if (want.isObject()) {
      if (!have.isObject()) {
        return false;
      }
      for (Iterator<Map.Entry<String, JsonNode>> fields = want.fields(); fields.hasNext(); ) {
        Map.Entry<String, JsonNode> field = fields.next();
        if (!subset(field.getValue(), have.get(field.getKey()))) {
          return false;
        }
      }
      return true;
    }
    if (want.isArray()) {
      if (!have.isArray() || have.size() != want.size()) {
        return false;
      }
      for (int i = 0; i < want.size(); i++) {
        if (!subset(want.get(i), have.get(i))) {
          return false;
        }
      }
      return true;
    }
    if (want.isNumber() && have.isNumber()) {
      return want.decimalValue().compareTo(have.decimalValue()) == 0;
    }
    return want.asText().equals(have.asText()) || sameQuantity(want.asText(), have.asText());
  }

  /** The API server stores quantities canonically (0.5 → 500m, 1024Mi → 1Gi): equal amounts are the same value. */
  private static boolean sameQuantity(String want, String have) {
    if (want.isEmpty() || have.isEmpty() || !Character.isDigit(want.charAt(0)) && want.charAt(0) != '.'
        || !Character.isDigit(have.charAt(0)) && have.charAt(0) != '.') {
      return false;
    }
    try {
      return Quantity.getAmountInBytes(Quantity.parse(want)).compareTo(Quantity.getAmountInBytes(Quantity.parse(have))) == 0;
    } catch (IllegalArgumentException | ArithmeticException notAQuantity) {
      return false;
    }
  }
}
