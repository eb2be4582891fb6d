package dev.flywheel.model.serve.grpc;

import dev.flywheel.model.serve.InferenceFlow;
import io.grpc.Status;

/**
 * The gRPC status of a refusal, matching the HTTP status REST answers for it: 400 and 413 (too many rows) are
 * INVALID_ARGUMENT, 404 NOT_FOUND, 429 (at the admission limit) RESOURCE_EXHAUSTED, 503 (not ready, request timeout)
 * UNAVAILABLE, anything else INTERNAL; the description is REST's error message.
 */
final class GrpcStatus {
  private GrpcStatus() {}

  static Status of(InferenceFlow.Refusal refusal) {
    Status status = switch (refusal.status()) {
      case 400, 413 -> Status.INVALID_ARGUMENT;
      case 404 -> Status.NOT_FOUND;
      case 429 -> Status.RESOURCE_EXHAUSTED;
      case 503 -> Status.UNAVAILABLE;
      default -> Status.INTERNAL;
    };
    return status.withDescription(refusal.message());
  }
}
