package dev.flywheel.e2e;

import dev.flywheel.e2e.cluster.FlywheelCluster;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A thread that SIGKILLs the operator of a {@link FlywheelCluster} again and again, each time after a random pause
 * (seeded, so a failing run can be replayed with its seed) counted from when the operator started again was ready, so
 * each kill interrupts a working operator; it stops after {@code maxKills}, which bounds the time a loaded machine needs.
 */
final class OperatorChaos implements AutoCloseable {
  private final FlywheelCluster cluster;
  private final Random random;
  private final Duration shortestPause;
  private final Duration longestPause;
  private final int maxKills;
  private final List<Instant> kills = new ArrayList<>();
  private final CountDownLatch stop = new CountDownLatch(1);
  private final Thread thread;
  private volatile Exception failure;

  /** Starts killing at once: the first kill comes after the first pause. */
  OperatorChaos(FlywheelCluster cluster, long seed, Duration shortestPause, Duration longestPause, int maxKills) {
    this.cluster = cluster;
    this.random = new Random(seed);
    this.shortestPause = shortestPause;
    this.longestPause = longestPause;
    this.maxKills = maxKills;
    this.thread = new Thread(this::run, "operator-chaos");
    thread.setDaemon(true);
    thread.start();
  }

  private void run() {
    try {
      long spread = longestPause.toMillis() - shortestPause.toMillis();
      while (kills() < maxKills && !stop.await(shortestPause.toMillis() + (long) (random.nextDouble() * spread), TimeUnit.MILLISECONDS)) {
        Instant at = Instant.now();
        cluster.killOperator();
        synchronized (kills) {
          kills.add(at);
        }
        System.out.println("chaos: operator SIGKILLed at " + at + " (kill " + kills() + "), started again");
      }
    } catch (Exception e) {
      failure = e;
    }
  }

  /** How many times the operator was killed (and started again) so far. */
  int kills() {
    synchronized (kills) {
      return kills.size();
    }
  }

  /** When the last kill happened; empty before the first. */
  Optional<Instant> lastKill() {
    synchronized (kills) {
      return kills.isEmpty() ? Optional.empty() : Optional.of(kills.get(kills.size() - 1));
    }
  }

  /** Waits (at most {@code timeout}) until the operator was killed at least {@code count} times. */
  void awaitKills(int count, Duration timeout) throws InterruptedException {
    long end = System.nanoTime() + timeout.toNanos();
    while (kills() < count && thread.isAlive() && System.nanoTime() < end) {
      Thread.sleep(200);
    }
  }

  /** Stops killing; a kill in progress ends first (the operator is then running again). Rethrows a failed kill. */
  @Override
  public void close() throws Exception {
    stop.countDown();
    thread.join(120_000);
    if (failure != null) {
      throw failure;
    }
  }
}
