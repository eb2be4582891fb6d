package dev.flywheel.model.data;

/** Training data that cannot be used, with a one-line reason a person can act on. */
public class DataError extends RuntimeException {
  public DataError(String reason) {
    super(reason);
  }
}
