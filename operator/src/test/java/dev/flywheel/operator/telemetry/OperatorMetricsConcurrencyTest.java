package dev.flywheel.operator.telemetry;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.Test;

/** Many reconciler threads at once: no count is lost, and no gauge is left registered without its value (or the reverse). */
class OperatorMetricsConcurrencyTest {
  private static final int THREADS = 8;
  private static final int ROUNDS = 5_000;

  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final OperatorMetrics metrics = new OperatorMetrics(registry);

  private void together(Runnable work) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(THREADS);
    CountDownLatch start = new CountDownLatch(1);
    List<Future<?>> done = new ArrayList<>();
    for (int t = 0; t < THREADS; t++) {
      done.add(pool.submit(() -> {
        start.await();
        for (int i = 0; i < ROUNDS; i++) {
          work.run();
        }
        return null;
      }));
    }
    start.countDown();
    for (Future<?> f : done) {
      f.get();
    }
    pool.shutdown();
  }

  @Test
  void countsFromManyThreadsAddUp() throws Exception {
    together(() -> {
      metrics.reconciled("ModelDeployment", OperatorMetrics.UNCHANGED);
      metrics.retrain("ml", "churn", "drift", OperatorMetrics.STARTED);
      metrics.rollout("ml", "churn", OperatorMetrics.PROMOTED);
    });
    double expected = THREADS * ROUNDS;
    assertThat(registry.find(MetricNames.RECONCILES).tags("kind", "ModelDeployment", "outcome", "unchanged").counter().count()).isEqualTo(expected);
    assertThat(registry.find(MetricNames.RETRAINS).tags("outcome", "started").counter().count()).isEqualTo(expected);
    assertThat(registry.find(MetricNames.ROLLOUTS).tags("outcome", "promoted").counter().count()).isEqualTo(expected);
  }

  @Test
  void gaugesSetRemovedAndForgottenAtOnceStayConsistent() throws Exception {
    List<String> deployments = List.of("a", "b", "c");
    together(() -> {
      ThreadLocalRandom random = ThreadLocalRandom.current();
      String deployment = deployments.get(random.nextInt(deployments.size()));
      switch (random.nextInt(4)) {
        case 0 -> metrics.trigger("ml", deployment, "drift", random.nextBoolean() ? null : random.nextDouble(), random.nextBoolean());
        case 1 -> metrics.deploymentState("ml", deployment, random.nextBoolean(), random.nextBoolean(), random.nextBoolean() ? null : true);
        case 2 -> metrics.forget("ml", deployment);
        default -> metrics.trigger("ml", deployment, "drift", 0.5, true);
      }
    });
    // Whatever interleaving happened, one final call per deployment decides the state exactly.
    metrics.trigger("ml", "a", "drift", 0.25, true);
    metrics.deploymentState("ml", "a", true, false, true);
    metrics.trigger("ml", "b", "drift", null, false);
    metrics.forget("ml", "c");

    assertThat(registry.find(MetricNames.TRIGGER_VALUE).gauges()).singleElement().satisfies(g -> {
      assertThat(g.getId().getTag("deployment")).isEqualTo("a");
      assertThat(g.value()).isEqualTo(0.25);
    });
    assertThat(registry.find(MetricNames.TRIGGER_FIRING).gauges()).extracting(g -> g.getId().getTag("deployment") + "=" + g.value())
        .containsExactlyInAnyOrder("a=1.0", "b=0.0");
    assertThat(registry.find(MetricNames.DEPLOYMENT_READY).tags("deployment", "a").gauge().value()).isEqualTo(1.0);
    assertThat(registry.find(MetricNames.DEPLOYMENT_METRICS_AVAILABLE).tags("deployment", "a").gauge().value()).isEqualTo(1.0);
    assertThat(registry.find(MetricNames.DEPLOYMENT_READY).tags("deployment", "c").meters()).isEmpty();
    assertThat(registry.find(MetricNames.TRIGGER_FIRING).tags("deployment", "c").meters()).isEmpty();
    assertThat(registry.find(MetricNames.DEPLOYMENT_READY).gauges()).as("one per deployment, never a duplicate").hasSizeLessThanOrEqualTo(2);
  }
}
