package dev.flywheel.model.serve;

/**
 * Whether the server takes traffic: ready once the warm-up inference passed, and no longer once shutdown began
 * (draining), so Kubernetes stops routing here while the requests it already sent are answered.
 */
final class Readiness {
  private volatile boolean warmedUp;
  private volatile boolean draining;

  void markWarmedUp() {
    warmedUp = true;
  }

  void startDraining() {
    draining = true;
  }

  /** Drained: requests that still arrive before the port closes are answered 503. */
  void stopServing() {
    warmedUp = false;
  }

  /** The model can score requests (warm-up passed); stays true while draining, so requests in flight are served. */
  boolean modelLoaded() {
    return warmedUp;
  }

  /** /v2/health/ready: warmed up and not draining. */
  boolean isReady() {
    return warmedUp && !draining;
  }
}
