package dev.flywheel.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flywheel.crds.modeldeployment.ModelDeployment;
import dev.flywheel.crds.modelversion.ModelVersion;
import dev.flywheel.crds.modelversion.Stage;
import dev.flywheel.crds.trainingjob.TrainingJob;
import dev.flywheel.crds.validation.RepoPaths;
import dev.flywheel.e2e.cluster.FlywheelCluster;
import dev.flywheel.sandbox.story.SandboxStory;
import dev.flywheel.sandbox.story.StatusLines;
import dev.flywheel.sandbox.story.StoryReport;
import dev.flywheel.sandbox.story.Timeline;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The operator SIGKILLed at random moments of the sandbox's whole loop (at least ten times): the loop still closes,
 * and what the API holds afterwards shows nothing done twice — two TrainingJobs (the first and one retrain within
 * budget), two ModelVersions, one trainer Job per TrainingJob, one serving Deployment, serving the retrained version.
 * The kills' seed is printed; {@code -Dflywheel.e2e.chaosSeed=<seed>} replays the same pauses.
 */
class OperatorKillIT {
  private static final String NAMESPACE = SandboxStory.NAMESPACE;
  private static final int KILLS = 10;
  /** Enough to reach every phase of the loop on an idle machine; on a loaded one the story then ends undisturbed. */
  private static final int MAX_KILLS = 16;
  private static final Duration SHORTEST_PAUSE = Duration.ofSeconds(5);
  private static final Duration LONGEST_PAUSE = Duration.ofSeconds(15);
  /** ./sandbox's story takes about 3 minutes undisturbed; under kills 4–5.5 minutes were seen (each kill costs a start). */
  private static final Duration STORY_BUDGET = Duration.ofMinutes(8);
  private static final Duration CONVERGENCE = Duration.ofSeconds(120);

  @Test
  void killedAtRandomMomentsTheOperatorClosesTheLoopAndDoesNothingTwice() throws Exception {
    long seed = Long.getLong("flywheel.e2e.chaosSeed", System.nanoTime());
    System.out.println("OperatorKillIT: chaos seed " + seed + " (replay with -Dflywheel.e2e.chaosSeed=" + seed + ")");
    try (FlywheelCluster cluster = FlywheelCluster.open("OperatorKillIT", NAMESPACE)) {
      KubernetesClient client = cluster.client();
      StoryReport report = new StoryReport();
      boolean closed;
      int killsDuringStory;
      Instant lastKill;
      try (Timeline timeline = new Timeline(client, NAMESPACE, System.out, Clock.systemUTC());
          OperatorChaos chaos = new OperatorChaos(cluster, seed, SHORTEST_PAUSE, LONGEST_PAUSE, MAX_KILLS)) {
        SandboxStory story = new SandboxStory(client, RepoPaths.root().resolve("examples/sandbox"),
            (claim, path, content) -> cluster.writeToClaim(NAMESPACE, claim, path, content),
            () -> serviceUrl(cluster), cluster.prometheusUrl(), timeline, report);
        closed = story.runToEnd(STORY_BUDGET);
        killsDuringStory = chaos.kills();
        chaos.awaitKills(KILLS, LONGEST_PAUSE.plusSeconds(30).multipliedBy(KILLS));
        chaos.close(); // after the last kill the operator runs undisturbed
        assertThat(chaos.kills()).as("kills").isGreaterThanOrEqualTo(KILLS);
        lastKill = chaos.lastKill().orElseThrow();
      }
      System.out.println("OperatorKillIT: " + killsDuringStory + " kills during the story, the last at " + lastKill);
      assertThat(killsDuringStory).as("kills while the loop ran (not only after it)").isGreaterThanOrEqualTo(KILLS / 2);
      assertThat(closed).as("the loop closed under kills (seed " + seed + "): " + report.steps() + "; logs: " + cluster.logs())
          .isTrue();

      ModelDeployment deployment = awaitConverged(client, lastKill, cluster);
      String first = "churn-v1";
      String retrained = deployment.getStatus().getLastRetrain().getModelVersion();
      String retrainJob = deployment.getStatus().getLastRetrain().getTrainingJob();

      List<TrainingJob> trainingJobs = client.resources(TrainingJob.class).inNamespace(NAMESPACE).list().getItems();
      assertThat(names(trainingJobs)).as("TrainingJobs: the first and exactly one retrain")
          .containsExactlyInAnyOrder(first, retrainJob);
      assertThat(trainingJobs).allSatisfy(job -> assertThat(String.valueOf(job.getStatus().getPhase()))
          .as(job.getMetadata().getName()).isEqualTo("Succeeded"));
      TrainingJob retrain = trainingJobs.stream().filter(job -> job.getMetadata().getName().equals(retrainJob)).findFirst().orElseThrow();
      assertThat(controllerUid(retrain)).as("the retrain is owned by the ModelDeployment")
          .contains(deployment.getMetadata().getUid());
      int budget = deployment.getSpec().getRetraining().getMaxRetrainsPerDay();
      assertThat(deployment.getStatus().getRetrainsToday()).as("retrains today within maxRetrainsPerDay")
          .isEqualTo(1).isLessThanOrEqualTo(budget);

      List<ModelVersion> versions = client.resources(ModelVersion.class).inNamespace(NAMESPACE).list().getItems();
      assertThat(names(versions)).as("ModelVersions: one per TrainingJob").containsExactlyInAnyOrder(first, retrained);
      assertThat(versions).extracting(version -> version.getSpec().getVersion()).containsExactlyInAnyOrder(1, 2);
      Map<String, ModelVersion> byName = versions.stream().collect(Collectors.toMap(v -> v.getMetadata().getName(), v -> v));
      assertThat(byName.get(retrained).getSpec().getLineage().getTrainingJob()).isEqualTo(retrainJob);
      assertThat(byName.get(first).getSpec().getLineage().getTrainingJob()).isEqualTo(first);
      assertThat(byName.get(retrained).getStatus().getStage()).as(retrained + " stage").isEqualTo(Stage.Production);
      assertThat(byName.get(first).getStatus().getStage()).as(first + " stage").isEqualTo(Stage.Archived);
      assertThat(trainingJobs).allSatisfy(job -> assertThat(job.getStatus().getModelVersion())
          .as(job.getMetadata().getName() + " registered").isIn(first, retrained));
      assertThat(trainingJobs).extracting(job -> job.getStatus().getModelVersion()).doesNotHaveDuplicates();

      List<Job> jobs = client.batch().v1().jobs().inNamespace(NAMESPACE).list().getItems();
      assertThat(jobs.stream().map(job -> controllerUid(job).orElse("none") + " " + component(job)).toList())
          .as("at most one Job per owner and purpose (training, validation, comparison): " + jobNames(jobs))
          .doesNotHaveDuplicates();
      for (TrainingJob trainingJob : trainingJobs) {
        List<Job> trainers = ownedBy(jobs, trainingJob).stream().filter(job -> "training".equals(component(job))).toList();
        assertThat(jobNames(trainers)).as("trainer Jobs of " + trainingJob.getMetadata().getName())
            .containsExactly(trainingJob.getStatus().getJobName());
        assertThat(trainers.get(0).getStatus().getSucceeded()).as("trainer runs of " + trainingJob.getMetadata().getName()).isEqualTo(1);
      }
      assertThat(jobs).as("no Job without a living owner: " + jobNames(jobs))
          .allMatch(job -> ownerAlive(job, trainingJobs, versions, deployment));

      List<Deployment> servers = client.apps().deployments().inNamespace(NAMESPACE).list().getItems();
      assertThat(names(servers)).as("one serving Deployment: the stable track, no canary left").containsExactly("churn-stable");
      Deployment stable = servers.get(0);
      assertThat(controllerUid(stable)).as("churn-stable's owner").contains(deployment.getMetadata().getUid());
      assertThat(stable.getSpec().getTemplate().getMetadata().getLabels()).as("churn-stable's pods").containsValue(retrained);
      assertThat(stable.getStatus().getReadyReplicas()).as("churn-stable ready").isEqualTo(deployment.getSpec().getReplicas());
    }
  }

  private static Optional<java.net.URI> serviceUrl(FlywheelCluster cluster) {
    try {
      return cluster.serviceUrl(NAMESPACE, "churn", 8080);
    } catch (Exception e) {
      return Optional.empty();
    }
  }

  /**
   * Waits until the ModelDeployment has settled after the last kill: its triggers evaluated by the operator started
   * after it, Ready, serving the retrained (Promoted) version with no canary, and its status for its generation.
   */
  private static ModelDeployment awaitConverged(KubernetesClient client, Instant lastKill, FlywheelCluster cluster)
      throws InterruptedException {
    Supplier<ModelDeployment> read = () -> client.resources(ModelDeployment.class).inNamespace(NAMESPACE).withName("churn").get();
    long end = System.nanoTime() + CONVERGENCE.toNanos();
    ModelDeployment seen = null;
    while (System.nanoTime() < end) {
      seen = read.get();
      if (converged(seen, lastKill)) {
        return seen;
      }
      Thread.sleep(1000);
    }
    throw new AssertionError("timed out waiting for the ModelDeployment to converge after the last kill (" + lastKill
        + "); last seen: " + (seen == null ? "nothing" : StatusLines.of(seen)) + "; logs: " + cluster.logs());
  }

  private static boolean converged(ModelDeployment deployment, Instant lastKill) {
    if (deployment == null || deployment.getStatus() == null || deployment.getStatus().getLastRetrain() == null) {
      return false;
    }
    var status = deployment.getStatus();
    boolean evaluatedSinceKill = status.getTriggersEvaluatedAt() != null
        && Instant.parse(status.getTriggersEvaluatedAt()).isAfter(lastKill);
    return evaluatedSinceKill
        && "True".equals(StatusLines.condition(status.getConditions(), "Ready"))
        && "Promoted".equals(status.getLastRetrain().getOutcome())
        && status.getLastRetrain().getModelVersion() != null
        && status.getLastRetrain().getModelVersion().equals(status.getCurrentVersion())
        && status.getCanaryVersion() == null
        && deployment.getMetadata().getGeneration().equals(status.getObservedGeneration());
  }

  private static List<String> names(List<? extends HasMetadata> objects) {
    return objects.stream().map(object -> object.getMetadata().getName()).toList();
  }

  private static Optional<String> controllerUid(HasMetadata object) {
    return object.getMetadata().getOwnerReferences().stream().filter(ref -> Boolean.TRUE.equals(ref.getController()))
        .map(OwnerReference::getUid).findFirst();
  }

  private static List<Job> ownedBy(List<Job> jobs, HasMetadata owner) {
    return jobs.stream().filter(job -> job.getMetadata().getOwnerReferences().stream()
        .anyMatch(ref -> ref.getUid().equals(owner.getMetadata().getUid()))).toList();
  }

  private static String component(Job job) {
    return job.getMetadata().getLabels() == null ? null : job.getMetadata().getLabels().get("app.kubernetes.io/component");
  }

  private static List<String> jobNames(List<Job> jobs) {
    return names(jobs);
  }

  private static boolean ownerAlive(Job job, List<TrainingJob> trainingJobs, List<ModelVersion> versions, ModelDeployment deployment) {
    List<String> living = new java.util.ArrayList<>();
    trainingJobs.forEach(owner -> living.add(owner.getMetadata().getUid()));
    versions.forEach(owner -> living.add(owner.getMetadata().getUid()));
    living.add(deployment.getMetadata().getUid());
    return job.getMetadata().getOwnerReferences().stream().anyMatch(ref -> living.contains(ref.getUid()));
  }
}
