package dev.flywheel.sandbox.node;

import io.fabric8.kubernetes.client.dsl.Resource;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.utils.Serialization;

/**
 * Writes a whole status through the /status subresource as a JSON Patch ({@code add /status}, which replaces it): no
 * resourceVersion conflict, no merging of lists (a merge patch appends lists on the fabric8 mock server), and the same
 * meaning on a real API server.
 */
final class StatusPatch {
  private StatusPatch() {}

  static void replace(Resource<?> resource, Object status) {
    String patch = "[{\"op\":\"add\",\"path\":\"/status\",\"value\":" + Serialization.asJson(status) + "}]";
    resource.subresource("status").patch(PatchContext.of(PatchType.JSON), patch);
  }
}
