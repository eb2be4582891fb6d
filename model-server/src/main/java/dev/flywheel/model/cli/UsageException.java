package dev.flywheel.model.cli;

/** A command line that cannot be run: unknown command or option, missing or malformed value. */
public class UsageException extends RuntimeException {
  public UsageException(String message) {
    super(message);
  }
}
