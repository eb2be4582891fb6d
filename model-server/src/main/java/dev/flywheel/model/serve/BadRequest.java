package dev.flywheel.model.serve;

/** A request the server refuses: an HTTP 4xx status, a reason label for metrics, and a message for the client. */
final class BadRequest extends Exception {
  private final int status;
  private final String reason;

  BadRequest(int status, String reason, String message) {
    super(message, null, false, false);
    this.status = status;
    this.reason = reason;
  }

  static BadRequest of(String reason, String message) {
    return new BadRequest(400, reason, message);
  }

  int status() {
    return status;
  }

  String reason() {
    return reason;
  }
}
