package dev.flywheel.sandbox.node;

import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.function.Predicate;

/** Polls a value until it satisfies a condition, or fails with the last value seen. */
final class Await {
  private Await() {}

  static <T> T until(String what, Duration timeout, Callable<T> value, Predicate<T> done) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    T last = null;
    while (System.nanoTime() < deadline) {
      last = value.call();
      if (last != null && done.test(last)) {
        return last;
      }
      Thread.sleep(200);
    }
    throw new AssertionError(what + ": not within " + timeout + "; last: " + last);
  }
}
