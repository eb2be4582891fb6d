package dev.flywheel.sandbox.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The authorization.k8s.io self-reviews (SelfSubjectRulesReview, SelfSubjectAccessReview) that JOSDK's leader election
 * and kubectl auth can-i send: this API has no RBAC, so every rule is granted; nothing is stored.
 */
final class AccessReviews {
  static final String GROUP = "authorization.k8s.io";

  private AccessReviews() {}

  static boolean handles(ResourceType type) {
    return type.group().equals(GROUP);
  }

  static ApiResponse review(ApiRequest request, ResourceType type) {
    if (!request.method().equals("POST")) {
      throw new ApiException(405, "MethodNotAllowed", type.plural() + " can only be created");
    }
    JsonNode body = request.json();
    ObjectNode review = body.isObject() ? ((ObjectNode) body).deepCopy() : ApiRequest.JSON.createObjectNode();
    review.put("apiVersion", type.apiVersion()).put("kind", type.kind());
    ObjectNode status = review.putObject("status");
    if (type.kind().equals("SelfSubjectRulesReview")) {
      status.putArray("resourceRules").addObject().<ObjectNode>set("verbs", ApiRequest.JSON.createArrayNode().add("*"))
          .<ObjectNode>set("apiGroups", ApiRequest.JSON.createArrayNode().add("*"))
          .set("resources", ApiRequest.JSON.createArrayNode().add("*"));
      status.putArray("nonResourceRules").addObject().<ObjectNode>set("verbs", ApiRequest.JSON.createArrayNode().add("*"))
          .set("nonResourceURLs", ApiRequest.JSON.createArrayNode().add("*"));
      status.put("incomplete", false);
    } else {
      status.put("allowed", true).put("reason", "the sandbox API has no RBAC");
    }
    return new ApiResponse(201, review);
  }
}
