package dev.flywheel.sandbox.api;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;

/** A refusal the in-process API answers with a Kubernetes Status body (code, reason, message, details and causes). */
public final class ApiException extends RuntimeException {
  /** One field a refusal names: details.causes[] of the Status. */
  public record Cause(String reason, String field, String message) {}

  private final int code;
  private final String reason;
  private final ResourceType type;
  private final String name;
  private final List<Cause> causes;

  public ApiException(int code, String reason, String message, ResourceType type, String name, List<Cause> causes) {
    super(message);
    this.code = code;
    this.reason = reason;
    this.type = type;
    this.name = name;
    this.causes = List.copyOf(causes);
  }

  public ApiException(int code, String reason, String message) {
    this(code, reason, message, null, null, List.of());
  }

  public static ApiException notFound(ResourceType type, String name) {
    return new ApiException(404, "NotFound", type.qualifiedResource() + " \"" + name + "\" not found", type, name, List.of());
  }

  public static ApiException conflict(ResourceType type, String name) {
    return new ApiException(409, "Conflict", "Operation cannot be fulfilled on " + type.qualifiedResource() + " \"" + name
        + "\": the object has been modified; please apply your changes to the latest version and try again",
        type, name, List.of());
  }

  public static ApiException alreadyExists(ResourceType type, String name) {
    return new ApiException(409, "AlreadyExists", type.qualifiedResource() + " \"" + name + "\" already exists", type, name,
        List.of());
  }

  public static ApiException badRequest(String message) {
    return new ApiException(400, "BadRequest", message);
  }

  public int code() {
    return code;
  }

  public List<Cause> causes() {
    return causes;
  }

  /** The Status object a real API server sends for this refusal. */
  public ObjectNode toStatus() {
    ObjectNode status = JsonNodeFactory.instance.objectNode();
    status.put("kind", "Status").put("apiVersion", "v1");
    status.putObject("metadata");
    status.put("status", "Failure").put("message", getMessage()).put("reason", reason);
    if (type != null || name != null || !causes.isEmpty()) {
      ObjectNode details = status.putObject("details");
      if (name != null) {
        details.put("name", name);
      }
      if (type != null) {
        // An Invalid refusal names the Kind, the others the resource (as kube-apiserver does).
        details.put("group", type.group()).put("kind", "Invalid".equals(reason) ? type.kind() : type.plural());
      }
      if (!causes.isEmpty()) {
        ArrayNode list = details.putArray("causes");
        causes.forEach(cause -> list.addObject().put("reason", cause.reason()).put("message", cause.message())
            .put("field", cause.field()));
      }
    }
    status.put("code", code);
    return status;
  }
}
