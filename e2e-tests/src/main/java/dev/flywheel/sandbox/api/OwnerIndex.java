package dev.flywheel.sandbox.api;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * An index beside the storage, kept from the store's changes: which uids are stored and where, and which objects name
 * each uid in their ownerReferences (the garbage collector's two questions, which fabric8's attribute keys cannot answer).
 * Used under the store's lock.
 */
final class OwnerIndex {
  /** Where one stored object lives. */
  record Location(ResourceType type, String namespace, String name) {}

  private final Map<String, Location> locations = new HashMap<>();
  private final Map<String, Set<String>> dependentsByOwner = new HashMap<>();

  void onChange(Change change) {
    String uid = change.object().at("/metadata/uid").asText();
    if (change.previous() != null) {
      unlink(uid, change.previous());
    }
    if (change.type().equals("DELETED")) {
      unlink(uid, change.object());
      locations.remove(uid);
      return;
    }
    JsonNode metadata = change.object().path("metadata");
    locations.put(uid, new Location(change.resource(), metadata.path("namespace").asText(null), metadata.path("name").asText()));
    for (JsonNode owner : metadata.path("ownerReferences")) {
      dependentsByOwner.computeIfAbsent(owner.path("uid").asText(), key -> new LinkedHashSet<>()).add(uid);
    }
  }

  private void unlink(String uid, JsonNode object) {
    for (JsonNode owner : object.at("/metadata/ownerReferences")) {
      String ownerUid = owner.path("uid").asText();
      Set<String> dependents = dependentsByOwner.get(ownerUid);
      if (dependents != null) {
        dependents.remove(uid);
        if (dependents.isEmpty()) {
          dependentsByOwner.remove(ownerUid);
        }
      }
    }
  }

  boolean contains(String uid) {
    return locations.containsKey(uid);
  }

  /** Where the objects that name this owner uid are stored. */
  List<Location> dependentsOf(String ownerUid) {
    List<Location> dependents = new ArrayList<>();
    for (String uid : dependentsByOwner.getOrDefault(ownerUid, Set.of())) {
      Location location = locations.get(uid);
      if (location != null) {
        dependents.add(location);
      }
    }
    return dependents;
  }
}
