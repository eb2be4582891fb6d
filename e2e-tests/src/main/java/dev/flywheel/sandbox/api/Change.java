package dev.flywheel.sandbox.api;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * One change of the store as a watch sees it: ADDED, MODIFIED or DELETED, the object after it (the last state for a
 * deletion), the object before it (null on ADDED) and the resourceVersion it got.
 */
public record Change(String type, ResourceType resource, ObjectNode object, ObjectNode previous, long resourceVersion) {

  /** The same change under another event type (a watch whose selector the object leaves sees DELETED). */
  Change as(String eventType) {
    return new Change(eventType, resource, object, previous, resourceVersion);
  }

  String namespace() {
    return object.path("metadata").path("namespace").asText(null);
  }
}
