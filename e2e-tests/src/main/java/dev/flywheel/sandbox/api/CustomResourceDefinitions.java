package dev.flywheel.sandbox.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Keeps stored CustomResourceDefinitions served: a created or updated CRD gets the status kube-apiserver gives it
 * (Established, NamesAccepted, acceptedNames, storedVersions) and its kinds join the registry; a deleted one leaves it.
 */
final class CustomResourceDefinitions implements Admission {
  private final ResourceTypes types;

  CustomResourceDefinitions(ResourceTypes types) {
    this.types = types;
  }

  static boolean isDefinition(ResourceType type) {
    return type.group().equals("apiextensions.k8s.io") && type.plural().equals("customresourcedefinitions");
  }

  @Override
  public ObjectNode admit(ResourceType type, ObjectNode stored, ObjectNode proposed, Write write, WriteOptions options) {
    if (!isDefinition(type) || write == Write.STATUS) {
      return proposed;
    }
    ObjectNode status = proposed.putObject("status");
    status.set("acceptedNames", proposed.path("spec").path("names").deepCopy());
    ArrayNode conditions = status.putArray("conditions");
    String now = stored == null ? ObjectStore.now()
        : stored.at("/status/conditions/0/lastTransitionTime").asText(ObjectStore.now());
    for (String condition : new String[] {"NamesAccepted", "Established"}) {
      conditions.addObject().put("type", condition).put("status", "True").put("reason", condition)
          .put("message", "set by the sandbox API").put("lastTransitionTime", now);
    }
    ArrayNode storedVersions = status.putArray("storedVersions");
    for (JsonNode version : proposed.path("spec").path("versions")) {
      if (version.path("storage").asBoolean(false)) {
        storedVersions.add(version.path("name").asText());
      }
    }
    return proposed;
  }

  /** The store's listener: serve the kinds of stored definitions. */
  void onChange(Change change) {
    if (!isDefinition(change.resource())) {
      return;
    }
    if (change.type().equals("DELETED")) {
      types.removeDefinition(change.object());
    } else {
      if (change.previous() != null) {
        types.removeDefinition(change.previous());
      }
      types.addDefinition(change.object());
    }
  }
}
