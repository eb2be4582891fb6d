package dev.flywheel.model.bundle;

import java.io.IOException;

/** A model bundle that must not be loaded: missing, malformed, or not matching its digest. */
public class InvalidBundleException extends IOException {
  public InvalidBundleException(String message) {
    super(message);
  }
}
