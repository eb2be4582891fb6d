package dev.flywheel.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flywheel.crds.common.Condition;
import dev.flywheel.crds.modeldeployment.ModelDeployment;
import dev.flywheel.crds.trainingjob.TrainingJob;
import dev.flywheel.e2e.cluster.FlywheelCluster;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A bad dataset never reaches production: while a ModelDeployment serves the churn model's Production version, two
 * TrainingJobs on data a user really gets wrong — an export without the label column, and charges with "N/A" in some
 * rows — end Failed with the trainer's reason in status (naming the column), register no ModelVersion, and leave
 * what serves exactly as it was: the same version, the same Deployment (generation, pod template), the same pods
 * with no restart, every request answered.
 */
class BadDatasetIT {
  private static final String NAMESPACE = "bad-data";
  private static FlywheelCluster cluster;

  @BeforeAll
  static void start() throws Exception {
    cluster = FlywheelCluster.open("BadDatasetIT", NAMESPACE);
  }

  @AfterAll
  static void stop() {
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  void trainingOnABadDatasetFailsWithTheTrainersReasonAndNothingServedChanges() throws Exception {
    ChurnSteps steps = new ChurnSteps(cluster, NAMESPACE);
    steps.applySites("onprem", "cloud");
    String good = steps.writeData("churn/base.csv", ChurnSteps.churnCsv(800, 7));
    String served = steps.trainValidated("churn-v1", good);
    steps.promote(served);
    steps.apply(ChurnSteps.modelDeployment("followStage: Production", 2, "onprem"));
    steps.await("ModelDeployment churn to serve " + served + " with every pod ready", Duration.ofSeconds(120),
        () -> steps.modelDeployment("churn"), md -> md.getStatus() != null && served.equals(md.getStatus().getCurrentVersion())
            && "True".equals(ChurnSteps.conditionStatus(md.getStatus().getConditions(), "Ready")));
    URI url = steps.serviceUrl("churn");
    assertThat(steps.infer(url)).as("a request to the served version is answered").isEqualTo(200);
    Serving before = Serving.of(steps);

    String noLabel = steps.writeData("churn/export-2026-11.csv", withoutColumn(ChurnSteps.churnCsv(400, 11), "churned"));
    String notANumber = steps.writeData("churn/export-2026-12.csv", withValueAt(ChurnSteps.churnCsv(400, 13), 37, "monthly_charges", "N/A"));
    AtomicInteger answered = new AtomicInteger();
    AtomicInteger unanswered = new AtomicInteger();
    AtomicBoolean sending = new AtomicBoolean(true);
    Thread traffic = new Thread(() -> {
      while (sending.get()) {
        (steps.infer(url) == 200 ? answered : unanswered).incrementAndGet();
        sleepQuietly(100);
      }
    }, "bad-data-traffic");
    traffic.start();
    try {
      steps.apply(ChurnSteps.trainingJob("churn-no-label", noLabel, "restricted", "auto"));
      steps.apply(ChurnSteps.trainingJob("churn-charges-na", notANumber, "restricted", "auto"));
      TrainingJob missingLabel = awaitFailed(steps, "churn-no-label");
      TrainingJob badValue = awaitFailed(steps, "churn-charges-na");

      assertFailedBecause(missingLabel, "label column 'churned' not found", "tenure_months, monthly_charges, support_calls, contract");
      assertFailedBecause(badValue, "column 'monthly_charges' is numeric, but", "'N/A'");
      // One more resync and retraining interval (5 s each in the sandbox): still no version, nothing served changed.
      Thread.sleep(6000);
      assertThat(steps.modelVersions()).as("only the good TrainingJob registered a ModelVersion")
          .extracting(mv -> mv.getMetadata().getName()).containsExactly(served);
      assertThat(steps.trainingJob("churn-no-label").getStatus().getModelVersion()).isNull();
      assertThat(steps.trainingJob("churn-charges-na").getStatus().getModelVersion()).isNull();
    } finally {
      sending.set(false);
      traffic.join(15_000);
    }
    ModelDeployment deployment = steps.modelDeployment("churn");
    assertThat(deployment.getStatus().getCurrentVersion()).as("the served version").isEqualTo(served);
    assertThat(ChurnSteps.conditionStatus(deployment.getStatus().getConditions(), "Ready")).as("Ready " + deployment.getStatus())
        .isEqualTo("True");
    Serving after = Serving.of(steps);
    assertThat(after.generations()).as("the serving Deployments' generations").isEqualTo(before.generations());
    assertThat(after.templates()).as("the serving Deployments' pod templates").isEqualTo(before.templates());
    assertThat(after.restarts()).as("the serving pods (names and restart counts)").isEqualTo(before.restarts());
    assertThat(steps.infer(url)).as("a request after the failed trainings").isEqualTo(200);
    assertThat(unanswered.get()).as("requests not answered 200 while the bad TrainingJobs ran (of %d answered)", answered.get())
        .isZero();
    assertThat(answered.get()).as("requests sent while the bad TrainingJobs ran").isPositive();
  }

  private static TrainingJob awaitFailed(ChurnSteps steps, String name) throws InterruptedException {
    return steps.await("TrainingJob " + name + " to end Failed", Duration.ofSeconds(120), () -> steps.trainingJob(name),
        job -> job.getStatus() != null && "Failed".equals(String.valueOf(job.getStatus().getPhase())));
  }

  /** The Failed condition is True with the trainer's reason, and the message names what is wrong with the data. */
  private static void assertFailedBecause(TrainingJob job, String... named) {
    Condition failed = ChurnSteps.condition(job.getStatus().getConditions(), "Failed").orElseThrow(
        () -> new AssertionError("no Failed condition on " + job.getMetadata().getName() + ": " + job.getStatus()));
    assertThat(failed.getStatus()).as("Failed condition of %s", job.getMetadata().getName()).hasToString("True");
    assertThat(failed.getReason()).as("Failed reason of %s", job.getMetadata().getName()).isEqualTo("TrainingFailed");
    assertThat(failed.getMessage()).as("Failed message of %s", job.getMetadata().getName()).contains(named);
    assertThat(job.getStatus().getMessage()).as("status.message of %s", job.getMetadata().getName()).contains(named[0]);
    Condition ready = ChurnSteps.condition(job.getStatus().getConditions(), "Ready").orElseThrow();
    assertThat(ready.getStatus()).hasToString("False");
    assertThat(ready.getReason()).isEqualTo("TrainingFailed");
  }

  /** The CSV without one of its columns, as an export made for scoring (no label) would be. */
  static String withoutColumn(String csv, String column) {
    List<String[]> rows = csv.lines().map(line -> line.split(",", -1)).toList();
    int drop = List.of(rows.get(0)).indexOf(column);
    return rows.stream().map(row -> IntStream.range(0, row.length).filter(i -> i != drop)
        .mapToObj(i -> row[i]).collect(Collectors.joining(","))).collect(Collectors.joining("\n", "", "\n"));
  }

  /** The CSV with {@code value} in one column of every {@code every}-th data row, as a spreadsheet's "N/A" would be. */
  static String withValueAt(String csv, int every, String column, String value) {
    List<String[]> rows = csv.lines().map(line -> line.split(",", -1)).toList();
    int at = List.of(rows.get(0)).indexOf(column);
    for (int r = every; r < rows.size(); r += every) {
      rows.get(r)[at] = value;
    }
    return rows.stream().map(row -> String.join(",", row)).collect(Collectors.joining("\n", "", "\n"));
  }

  private static void sleepQuietly(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** What serves: each serving Deployment's generation and pod template, each serving pod's restart count. */
  private record Serving(Map<String, Long> generations, Map<String, PodTemplateSpec> templates, Map<String, Integer> restarts) {
    static Serving of(ChurnSteps steps) {
      List<Deployment> deployments = steps.deployments();
      Map<String, Long> generations = deployments.stream()
          .collect(Collectors.toMap(d -> d.getMetadata().getName(), d -> d.getMetadata().getGeneration()));
      Map<String, PodTemplateSpec> templates = deployments.stream()
          .collect(Collectors.toMap(d -> d.getMetadata().getName(), d -> d.getSpec().getTemplate()));
      Map<String, Integer> restarts = steps.pods().stream().filter(BadDatasetIT::serving)
          .collect(Collectors.toMap(p -> p.getMetadata().getName(), BadDatasetIT::restartCount));
      assertThat(generations).as("serving Deployments").isNotEmpty();
      assertThat(restarts).as("serving pods").hasSize(2);
      return new Serving(generations, templates, restarts);
    }
  }

  /** A pod of a Deployment (not of a trainer or validation Job). */
  private static boolean serving(Pod pod) {
    return pod.getMetadata().getOwnerReferences().stream().anyMatch(owner -> "Deployment".equals(owner.getKind())
        || "ReplicaSet".equals(owner.getKind()));
  }

  private static int restartCount(Pod pod) {
    return pod.getStatus().getContainerStatuses().stream().mapToInt(s -> s.getRestartCount() == null ? 0 : s.getRestartCount()).sum();
  }
}
