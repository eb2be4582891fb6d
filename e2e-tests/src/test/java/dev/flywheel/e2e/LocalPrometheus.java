package dev.flywheel.e2e;

import dev.flywheel.operator.metrics.MetricsSource;
import dev.flywheel.operator.metrics.PrometheusEndpoint;
import dev.flywheel.operator.metrics.QueryResult;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * The tests' side of {@link dev.flywheel.sandbox.prometheus.LocalPrometheus}: starts it scraping static targets every
 * second, and waits for a query through the operator's metrics client to satisfy a condition.
 */
final class LocalPrometheus implements AutoCloseable {
  static final Path BINARY = dev.flywheel.sandbox.prometheus.LocalPrometheus.BINARY;

  private final dev.flywheel.sandbox.prometheus.LocalPrometheus server;

  private LocalPrometheus(dev.flywheel.sandbox.prometheus.LocalPrometheus server) {
    this.server = server;
  }

  static boolean installed() {
    return dev.flywheel.sandbox.prometheus.LocalPrometheus.installed();
  }

  /** Starts Prometheus in {@code dir} scraping {@code targets} (host:port); {@code users} maps names to bcrypt hashes. */
  static LocalPrometheus start(Path dir, List<String> targets, Map<String, String> users) throws IOException {
    return start(dir, targets, Map.of(), users);
  }

  /**
   * As {@link #start(Path, List, Map)}, and every sample scraped from {@code targets} gets the static {@code
   * targetLabels} (as a PodMonitor attaches {@code namespace} from the pod); no {@code users}: no authentication.
   */
  static LocalPrometheus start(Path dir, List<String> targets, Map<String, String> targetLabels, Map<String, String> users)
      throws IOException {
    return new LocalPrometheus(dev.flywheel.sandbox.prometheus.LocalPrometheus.builder(dir)
        .staticTargets(targets, targetLabels).users(users).start());
  }

  String baseUrl() {
    return server.baseUrl();
  }

  Process process() {
    return server.process();
  }

  void awaitReady(Duration timeout, String authorization) throws Exception {
    server.awaitReady(timeout, authorization);
  }

  /**
   * Polls {@code promql} every 100 ms until its result satisfies {@code until} (the scrapes have caught up) and returns
   * that result; an AssertionError with the last result and Prometheus' log after {@code timeout}.
   */
  QueryResult await(MetricsSource client, PrometheusEndpoint endpoint, String promql, Predicate<QueryResult> until, String what,
      Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    QueryResult last;
    do {
      last = client.query(endpoint, promql);
      if (until.test(last)) {
        return last;
      }
      Thread.sleep(100);
    } while (System.nanoTime() < deadline);
    throw new AssertionError(promql + " did not become " + what + " within " + timeout + " (last: " + last.outcome() + " "
        + last.message() + ")\n" + log());
  }

  String log() {
    return server.log();
  }

  @Override
  public void close() throws InterruptedException {
    server.close();
  }

  void stop() throws InterruptedException {
    server.stop();
  }
}
