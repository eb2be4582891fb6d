package dev.flywheel.model.serve;

import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Admission of inference requests: at most maxConcurrentRequests hold a place at once (more are refused at once,
 * 429), so memory stays bounded. A place is held from admission until the request's inference has run or been
 * skipped — not merely answered — so a stuck model fills the server with 429s, never its memory. Also counts the
 * requests in flight (admitted, not yet answered) and those still arriving (admitted, not yet parsed), which the
 * batcher waits for.
 */
final class Admission {
  private final int limit;
  private final Semaphore places;
  private final AtomicInteger inFlight = new AtomicInteger();
  private final AtomicInteger arriving = new AtomicInteger();

  Admission(int maxConcurrentRequests) {
    this.limit = maxConcurrentRequests;
    this.places = new Semaphore(maxConcurrentRequests);
  }

  /** Takes a place for a new request, which then counts as in flight and arriving; false when the server is full. */
  boolean tryAdmit() {
    if (!places.tryAcquire()) {
      return false;
    }
    inFlight.incrementAndGet();
    arriving.incrementAndGet();
    return true;
  }

  /** The request is parsed (or refused): no longer arriving. */
  void parsed() {
    arriving.decrementAndGet();
  }

  /** The request is answered. */
  void answered() {
    inFlight.decrementAndGet();
  }

  /** The request's inference has run or was skipped (or it never reached the model): its place is free. */
  void releasePlace() {
    places.release();
  }

  int limit() {
    return limit;
  }

  int inFlight() {
    return inFlight.get();
  }

  int arriving() {
    return arriving.get();
  }
}
