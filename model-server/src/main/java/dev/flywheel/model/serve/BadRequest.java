package dev.flywheel.model.serve;

/**
 * A request the server refuses: an HTTP 4xx status (which gRPC maps to its codes), a reason label for metrics, and a
 * message for the client.
 */
public final class BadRequest extends Exception {
  private final int status;
  private final String reason;

  public BadRequest(int status, String reason, String message) {
    super(message, null, false, false);
    this.status = status;
    this.reason = reason;
  }

  public static BadRequest of(String reason, String message) {
    return new BadRequest(400, reason, message);
  }

  public int status() {
    return status;
  }

  public String reason() {
    return reason;
  }
}
