package dev.flywheel.sandbox.story;

import dev.flywheel.sandbox.story.ChurnData.Customer;
import dev.flywheel.sandbox.story.ChurnData.Population;
import java.io.IOException;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Customers calling the served churn model through its Service, at a fixed rate on 127.0.0.1: each one on its own
 * connection sends an inference request and then its true label to /v1/feedback. The share of shifted customers can
 * change while it runs (the market changes). Bounded: it stops when told, or after its longest run.
 */
public final class TrafficGenerator implements AutoCloseable {
  private static final Pattern VERSION = Pattern.compile("\"model_version\"\\s*:\\s*\"([^\"]+)\"");

  private final IntSupplier servicePort;
  private final int requestsPerSecond;
  private final long longestRunMillis;
  private final Random random = new Random(11);
  private final AtomicLong sent = new AtomicLong();
  private final AtomicLong answered = new AtomicLong();
  private final AtomicLong refused = new AtomicLong();
  private final AtomicLong unreachable = new AtomicLong();
  private volatile double shiftedShare;
  private volatile String lastVersion = "";
  private volatile boolean running = true;
  private final Thread thread;

  /**
   * Starts sending to the port {@code servicePort} gives at each request (0: not there yet, nothing is sent), {@code
   * requestsPerSecond} customers a second, for at most {@code longestRunMillis}.
   */
  public TrafficGenerator(IntSupplier servicePort, int requestsPerSecond, long longestRunMillis) {
    this.servicePort = servicePort;
    this.requestsPerSecond = requestsPerSecond;
    this.longestRunMillis = longestRunMillis;
    this.thread = new Thread(this::run, "sandbox-traffic");
    thread.setDaemon(true);
    thread.start();
  }

  /** From now on, this share (0..1) of the customers comes from the shifted population. */
  public void shiftedShare(double share) {
    this.shiftedShare = share;
  }

  public long sent() {
    return sent.get();
  }

  public long answered() {
    return answered.get();
  }

  /** Customers who got no answer: refused by the server (not 200), or their connection failed. */
  public long failed() {
    return refused.get() + unreachable.get();
  }

  /** Customers whose request a model server answered with a status other than 200. */
  public long refused() {
    return refused.get();
  }

  /** Customers whose connection was refused, reset or timed out before an answer came. */
  public long unreachable() {
    return unreachable.get();
  }

  /** The model version that answered last. */
  public String lastVersion() {
    return lastVersion;
  }

  private void run() {
    long start = System.nanoTime();
    long intervalNanos = 1_000_000_000L / requestsPerSecond;
    long next = start;
    while (running && System.nanoTime() - start < longestRunMillis * 1_000_000L) {
      int port = servicePort.getAsInt();
      if (port > 0) {
        Population population = random.nextDouble() < shiftedShare ? Population.SHIFTED : Population.TODAY;
        converse(port, ChurnData.customer(population, random), "c-" + sent.incrementAndGet());
      }
      next += intervalNanos;
      long sleep = next - System.nanoTime();
      if (sleep > 0) {
        try {
          Thread.sleep(sleep / 1_000_000, (int) (sleep % 1_000_000));
        } catch (InterruptedException e) {
          return;
        }
      } else if (sleep < -1_000_000_000L) {
        next = System.nanoTime(); // fell behind by more than a second: do not burst to catch up
      }
    }
  }

  private void converse(int port, Customer customer, String id) {
    try (LoopbackHttp http = new LoopbackHttp(port, 5_000)) {
      LoopbackHttp.Answer answer = http.post("/v2/models/churn/infer", customer.request(id));
      if (answer.status() != 200) {
        refused.incrementAndGet();
        return;
      }
      answered.incrementAndGet();
      Matcher version = VERSION.matcher(answer.body());
      if (version.find()) {
        lastVersion = version.group(1);
      }
      http.post("/v1/feedback", "{\"id\": \"" + id + "\", \"label\": \"" + customer.label() + "\"}");
    } catch (IOException e) {
      unreachable.incrementAndGet();
    }
  }

  @Override
  public void close() throws InterruptedException {
    running = false;
    thread.interrupt();
    thread.join(10_000);
  }
}
