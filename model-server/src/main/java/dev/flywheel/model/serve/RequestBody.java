package dev.flywheel.model.serve;

import dev.flywheel.model.serve.http.HttpCall;

/** The body of a request to an endpoint that reads one: refused with 413 when it was over the server's limit. */
final class RequestBody {
  private RequestBody() {}

  static byte[] of(HttpCall call, int maxRequestBytes) throws BadRequest {
    if (call.bodyTooLarge()) {
      throw new BadRequest(413, "too_large", "request body is larger than " + maxRequestBytes + " bytes");
    }
    return call.body();
  }
}
