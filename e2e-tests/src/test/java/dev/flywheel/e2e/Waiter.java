package dev.flywheel.e2e;

import dev.flywheel.e2e.cluster.FlywheelCluster;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Bounded waits for the end-to-end tests: polls until a probe finds what it waits for, or fails with what it waited
 * for, what it last saw and where the cluster's logs are. A probe that throws (the API busy, a half-written status)
 * counts as not yet.
 */
final class Waiter {
  private static final Duration POLL = Duration.ofMillis(500);
  private final FlywheelCluster cluster;

  Waiter(FlywheelCluster cluster) {
    this.cluster = cluster;
  }

  /** The first value {@code probe} finds within {@code limit}; {@code lastSeen} describes the state for the failure. */
  <T> T await(String what, Duration limit, Supplier<Optional<T>> probe, Supplier<String> lastSeen) throws InterruptedException {
    long end = System.nanoTime() + limit.toNanos();
    RuntimeException lastError = null;
    while (true) {
      try {
        Optional<T> found = probe.get();
        if (found.isPresent()) {
          return found.get();
        }
      } catch (RuntimeException e) {
        lastError = e;
      }
      if (System.nanoTime() > end) {
        String seen;
        try {
          seen = lastSeen.get();
        } catch (RuntimeException e) {
          seen = "(could not read: " + e.getMessage() + ")";
        }
        throw new AssertionError("timed out after " + limit.toSeconds() + " s waiting for " + what + "; last seen: " + seen
            + (lastError != null ? "; last error: " + lastError : "") + "; logs: " + cluster.logs());
      }
      Thread.sleep(POLL.toMillis());
    }
  }
}
