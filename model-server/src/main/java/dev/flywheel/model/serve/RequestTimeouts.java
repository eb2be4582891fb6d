package dev.flywheel.model.serve;

import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Times out requests waiting for inference. Every request gets the same timeout, so deadlines come in the order
 * requests do: one thread looks at the oldest every few milliseconds, and a request costs a queue entry — no timer to
 * set and cancel across threads.
 */
final class RequestTimeouts implements AutoCloseable {
  private static final long SWEEP_MILLIS = 5;

  /** A request waiting for inference; whoever sets settled first answers it. */
  record Waiting(long deadlineNanos, AtomicBoolean settled, Runnable expire) {}

  private final long timeoutNanos;
  private final Queue<Waiting> waiting = new ConcurrentLinkedQueue<>();
  private final ScheduledExecutorService sweeper = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "request-timeouts");
    t.setDaemon(true);
    return t;
  });

  RequestTimeouts(long timeoutNanos) {
    this.timeoutNanos = timeoutNanos;
    sweeper.scheduleWithFixedDelay(this::sweep, SWEEP_MILLIS, SWEEP_MILLIS, TimeUnit.MILLISECONDS);
  }

  /**
   * Watches a request from now on.
   *
   * @param expire runs on the sweeper thread if the request is not settled within the timeout (it is settled then)
   */
  void watch(AtomicBoolean settled, Runnable expire) {
    waiting.add(new Waiting(System.nanoTime() + timeoutNanos, settled, expire));
  }

  private void sweep() {
    long now = System.nanoTime();
    for (Waiting head = waiting.peek(); head != null; head = waiting.peek()) {
      if (!head.settled().get() && now - head.deadlineNanos() < 0) {
        waiting.removeIf(w -> w.settled().get()); // answered requests behind a slow one do not pile up
        return;
      }
      waiting.poll();
      if (head.settled().compareAndSet(false, true)) {
        try {
          head.expire().run();
        } catch (RuntimeException e) {
          // the answer could not be sent (the connection is gone); the next requests still time out
        }
      }
    }
  }

  @Override
  public void close() {
    sweeper.shutdownNow();
  }
}
