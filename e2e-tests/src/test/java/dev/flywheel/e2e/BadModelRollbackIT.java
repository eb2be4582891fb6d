package dev.flywheel.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flywheel.crds.common.Condition;
import dev.flywheel.crds.modeldeployment.AnalysisMeasurement;
import dev.flywheel.crds.modeldeployment.ModelDeployment;
import dev.flywheel.crds.modelversion.ModelVersion;
import dev.flywheel.crds.modelversion.Stage;
import dev.flywheel.crds.trainingjob.TrainingJob;
import dev.flywheel.crds.validation.RepoPaths;
import dev.flywheel.e2e.cluster.FlywheelCluster;
import dev.flywheel.sandbox.story.ChurnData;
import dev.flywheel.sandbox.story.TrafficGenerator;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bad new models reach Production while clients call the served one: v2 was trained on data that gained a column the
 * clients do not send, so it refuses every request; v3 on data whose label was inverted, so it answers every request,
 * wrongly. Each canary is rolled back by its analysis (error rate, then online accuracy from the clients' feedback
 * labels), Degraded says why with the measured value and the bound, the operator does not try a rejected version again,
 * and the stable version answers every request it gets throughout — asserted from the API objects, Prometheus and what
 * the clients saw.
 */
class BadModelRollbackIT {
  private static final String NAMESPACE = "rollback";
  private static final String MODEL = "churn";
  private static final Path MANIFESTS = RepoPaths.root().resolve("e2e-tests/src/test/resources/bad-model-rollback");
  /** Traffic runs until the test ends (close() stops it), bounded by the sum of the test's waits, not by a guess. */
  private static final long TRAFFIC_LONGEST = Duration.ofMinutes(15).toMillis();
  private static final int REQUESTS_PER_SECOND = 20;

  @TempDir Path tmp;

  @Test
  void badCanariesAreRolledBackWhileTheStableVersionAnswersEveryRequest() throws Exception {
    try (FlywheelCluster cluster = FlywheelCluster.open("BadModelRollbackIT", NAMESPACE)) {
      KubernetesClient client = cluster.client();
      Waiter waiter = new Waiter(cluster);
      PrometheusQueries prometheus = new PrometheusQueries(cluster.prometheusUrl());
      client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(NAMESPACE).endMetadata().build())
          .createOr(existing -> existing.update());
      applySites(client);
      writeData(cluster);
      List<TrainingJob> trainings = trainingJobs(client);

      start(client, trainings.get(0));
      String v1 = awaitValidatedVersion(client, waiter, "churn-v1");
      promote(client, v1);
      applyFromResource(client, "modeldeployment.yaml");
      waiter.await("the ModelDeployment to serve " + v1 + " on 2 ready pods", Duration.ofSeconds(90), () -> deployment(client)
          .filter(d -> d.getStatus() != null && v1.equals(d.getStatus().getCurrentVersion())
              && "True".equals(condition(d, "Ready").map(Condition::getStatus).map(String::valueOf).orElse(null))
              && Integer.valueOf(2).equals(d.getStatus().getReadyReplicas())), () -> describe(deployment(client)));

      try (TrafficGenerator traffic = new TrafficGenerator(() -> servicePort(cluster), REQUESTS_PER_SECOND, TRAFFIC_LONGEST)) {
        waiter.await("the clients' first answers", Duration.ofSeconds(30),
            () -> Optional.of(traffic.answered()).filter(answered -> answered >= 20), () -> "answered " + traffic.answered());
        Instant trafficStarted = Instant.now();

        // v2 refuses what the clients send: the error-rate analysis rolls it back.
        start(client, trainings.get(1));
        String v2 = awaitValidatedVersion(client, waiter, "churn-v2");
        promote(client, v2);
        long sentAtCanary = waitForCanary(client, waiter, v2, v1, traffic);
        ModelDeployment rolledBack = waitForRollback(client, waiter, v2);
        Condition degraded = condition(rolledBack, "Degraded").orElseThrow();
        assertThat(degraded.getMessage()).as("Degraded names the version, the analysis, its value and its bound")
            .contains(v2, v1 + " keeps serving").containsPattern("error-rate = [0-9.e-]+ > max 0\\.05");
        assertThat(measurement(rolledBack, "error-rate").getValue()).as("the canary refused what v1's clients send").isGreaterThan(0.5);
        assertThat(events(client, "RolledBack")).as("a RolledBack Event").singleElement().satisfies(event -> {
          assertThat(event.getType()).isEqualTo("Warning");
          assertThat(event.getMessage()).contains(v2, "error-rate");
        });
        waitForCanaryGone(client, waiter, v1);
        long sentWhileCanary = traffic.sent() - sentAtCanary;
        long refusedByCanary = traffic.refused();
        System.out.printf("%s: Degraded %s; clients sent %d while the canary ran, %d refused%n", v2, degraded.getMessage(),
            sentWhileCanary, refusedByCanary);

        // No retry loop: the rejected version is not rolled out again while it is the one wanted (v3 trains meanwhile).
        start(client, trainings.get(2));
        Instant quietUntil = Instant.now().plusSeconds(30);
        while (Instant.now().isBefore(quietUntil)) {
          ModelDeployment now = deployment(client).orElseThrow();
          assertThat(now.getStatus().getCanaryVersion()).as("no new canary of the rejected " + v2).isNull();
          assertThat(now.getStatus().getCurrentVersion()).isEqualTo(v1);
          assertThat(canaryGone(client)).as("no canary Deployment comes back").isTrue();
          Thread.sleep(1000);
        }
        assertThat(events(client, "CanaryStarted")).as("the canary of " + v2 + " started once").singleElement()
            .satisfies(event -> assertThat(event.getCount()).isEqualTo(1));
        assertThat(events(client, "RolledBack")).singleElement().satisfies(event -> assertThat(event.getCount()).isEqualTo(1));
        assertThat(traffic.refused()).as("no refusal once the canary was gone").isEqualTo(refusedByCanary);
        assertThat(refusedByCanary).as("clients refused only by the canary, at its share of the pods").isPositive()
            .isLessThanOrEqualTo(Math.round(sentWhileCanary * 0.6));

        // v3 answers every request, wrongly: the online-accuracy analysis (feedback labels) rolls it back.
        String v3 = awaitValidatedVersion(client, waiter, "churn-v3");
        promote(client, v3);
        waitForCanary(client, waiter, v3, v1, traffic);
        ModelDeployment inaccurate = waitForRollback(client, waiter, v3);
        assertThat(condition(inaccurate, "Degraded").orElseThrow().getMessage()).as("Degraded names the accuracy, its value and its bound")
            .contains(v3, v1 + " keeps serving").containsPattern("online-accuracy = [0-9.e-]+ < min 0\\.6");
        assertThat(measurement(inaccurate, "error-rate").getPhase()).as("v3 answered without errors").isEqualTo("Successful");
        assertThat(measurement(inaccurate, "online-accuracy").getValue()).as("v3's accuracy on the clients' labels").isLessThan(0.5);
        waitForCanaryGone(client, waiter, v1);
        System.out.printf("%s: Degraded %s%n", v3, condition(inaccurate, "Degraded").orElseThrow().getMessage());

        // What the clients and Prometheus saw from the first answer to now.
        assertThat(traffic.unreachable()).as("connections refused, reset or timed out").isZero();
        assertThat(traffic.refused()).as("v3 refused nothing").isEqualTo(refusedByCanary);
        Thread.sleep(3000); // one more scrape of the stable pods
        long window = Duration.between(trafficStarted, Instant.now()).toSeconds();
        String stable = scope(v1);
        assertThat(prometheus.value("max_over_time(sum(flywheel_requests_total{" + stable + ",outcome!=\"ok\"})[" + window + "s:1s])"))
            .as(v1 + " answered every request it got").isEqualTo(0.0);
        double lowestRate = prometheus.value("min_over_time(sum(rate(flywheel_requests_total{" + stable + ",outcome=\"ok\"}[10s]))["
            + (window - 10) + "s:1s])");
        assertThat(lowestRate).as(v1 + "'s lowest rate of ok answers through both canaries (answers a second)").isGreaterThan(1.0);
        assertThat(prometheus.value("max_over_time(sum(flywheel_requests_total{" + scope(v2) + ",outcome!=\"ok\"})[" + window + "s:1s])"))
            .as("the canary " + v2 + " really refused requests").isPositive();
        System.out.printf("clients: sent %d, answered %d, refused %d, unreachable %d; %s's lowest ok rate %.1f/s%n", traffic.sent(),
            traffic.answered(), traffic.refused(), traffic.unreachable(), v1, lowestRate);
      }
    }
  }

  /** Waits for the canary of {@code version} next to the stable {@code stable}; returns the clients' count then. */
  private static long waitForCanary(KubernetesClient client, Waiter waiter, String version, String stable, TrafficGenerator traffic)
      throws InterruptedException {
    ModelDeployment canary = waiter.await("the canary of " + version + " to start", Duration.ofSeconds(60),
        () -> deployment(client).filter(d -> version.equals(d.getStatus().getCanaryVersion())), () -> describe(deployment(client)));
    assertThat(canary.getStatus().getCurrentVersion()).as("the stable version while the canary runs").isEqualTo(stable);
    return traffic.sent();
  }

  /** Waits for Degraded=True about {@code version} and checks what the status says about the rollback. */
  private static ModelDeployment waitForRollback(KubernetesClient client, Waiter waiter, String version) throws InterruptedException {
    ModelDeployment rolledBack = waiter.await("the canary of " + version + " to be rolled back", Duration.ofSeconds(90),
        () -> deployment(client).filter(d -> d.getStatus().getRollout() != null && version.equals(d.getStatus().getRollout().getVersion())
            && "True".equals(condition(d, "Degraded").map(c -> String.valueOf(c.getStatus())).orElse(null))),
        () -> describe(deployment(client)));
    assertThat(condition(rolledBack, "Degraded").orElseThrow().getReason()).isEqualTo("RolledBack");
    assertThat(condition(rolledBack, "Ready").map(Condition::getReason)).contains("RolledBack");
    assertThat(rolledBack.getStatus().getCanaryVersion()).isNull();
    assertThat(rolledBack.getStatus().getRollout().getPhase()).isEqualTo("RolledBack");
    assertThat(rolledBack.getStatus().getRollout().getRejectedVersion()).isEqualTo(version);
    return rolledBack;
  }

  private static void waitForCanaryGone(KubernetesClient client, Waiter waiter, String stable) throws InterruptedException {
    waiter.await("the canary Deployment to go and " + stable + " to run on 2 ready pods again", Duration.ofSeconds(60),
        () -> Optional.of(client).filter(c -> canaryGone(c) && stableReady(c) == 2), () -> describeDeployments(client));
    assertThat(deployment(client).orElseThrow().getStatus().getCurrentVersion()).isEqualTo(stable);
  }

  private static AnalysisMeasurement measurement(ModelDeployment deployment, String name) {
    return deployment.getStatus().getRollout().getAnalysis().stream().filter(m -> m.getName().equals(name)).findFirst()
        .orElseThrow(() -> new AssertionError("no measurement " + name + " in " + deployment.getStatus().getRollout()));
  }

  private static String scope(String version) {
    return "namespace=\"" + NAMESPACE + "\",model=\"" + MODEL + "\",version=\"" + version + "\"";
  }

  private static void applySites(KubernetesClient client) throws Exception {
    try (InputStream in = Files.newInputStream(RepoPaths.root().resolve("examples/sandbox/sites.yaml"))) {
      client.load(in).resources().forEach(site -> site.createOr(existing -> existing.update()));
    }
  }

  /** Today's customers; the same rows with a `region` column the clients do not send (v2); with the label inverted (v3). */
  private void writeData(FlywheelCluster cluster) throws Exception {
    List<String> rows = Files.readAllLines(ChurnData.writeCsv(tmp.resolve("base.csv"), 1500, 7), StandardCharsets.UTF_8);
    cluster.writeToClaim(NAMESPACE, "customer-data", "churn/base.csv", String.join("\n", rows).getBytes(StandardCharsets.UTF_8));
    String[] regions = {"north", "south", "east", "west"};
    Random random = new Random(3);
    String withRegion = rows.stream().map(row -> row.startsWith("tenure_months") ? "region," + row : regions[random.nextInt(4)] + "," + row)
        .collect(Collectors.joining("\n"));
    cluster.writeToClaim(NAMESPACE, "customer-data", "churn/with-region.csv", withRegion.getBytes(StandardCharsets.UTF_8));
    String inverted = rows.stream().map(row -> row.endsWith(",yes") ? row.substring(0, row.length() - 3) + "no"
        : row.endsWith(",no") ? row.substring(0, row.length() - 2) + "yes" : row).collect(Collectors.joining("\n"));
    cluster.writeToClaim(NAMESPACE, "customer-data", "churn/labels-inverted.csv", inverted.getBytes(StandardCharsets.UTF_8));
  }

  /** The test's TrainingJobs, in the order of their YAML documents. */
  private static List<TrainingJob> trainingJobs(KubernetesClient client) throws Exception {
    String yaml = Files.readString(MANIFESTS.resolve("trainingjobs.yaml"));
    return Arrays.stream(yaml.split("(?m)^---$"))
        .map(document -> client.getKubernetesSerialization().unmarshal(document, TrainingJob.class)).toList();
  }

  private static void start(KubernetesClient client, TrainingJob job) {
    client.resources(TrainingJob.class).inNamespace(NAMESPACE).resource(job).create();
  }

  /** Waits for a TrainingJob to succeed and its ModelVersion to be validated; returns that version's name. */
  private static String awaitValidatedVersion(KubernetesClient client, Waiter waiter, String name) throws InterruptedException {
    TrainingJob done = waiter.await("TrainingJob " + name + " to succeed", Duration.ofSeconds(120),
        () -> Optional.ofNullable(client.resources(TrainingJob.class).inNamespace(NAMESPACE).withName(name).get())
            .filter(j -> j.getStatus() != null && "Succeeded".equals(String.valueOf(j.getStatus().getPhase()))
                && j.getStatus().getModelVersion() != null),
        () -> String.valueOf(client.resources(TrainingJob.class).inNamespace(NAMESPACE).withName(name).get().getStatus()));
    String version = done.getStatus().getModelVersion();
    waiter.await("ModelVersion " + version + " to be validated", Duration.ofSeconds(60),
        () -> Optional.ofNullable(client.resources(ModelVersion.class).inNamespace(NAMESPACE).withName(version).get())
            .filter(v -> v.getStatus() != null && v.getStatus().getConditions() != null && v.getStatus().getConditions().stream()
                .anyMatch(c -> c.getType().equals("Validated") && "True".equals(String.valueOf(c.getStatus())))),
        () -> String.valueOf(client.resources(ModelVersion.class).inNamespace(NAMESPACE).withName(version).get()));
    return version;
  }

  /** What a user does: kubectl patch mv <version> --type merge -p '{"spec":{"stage":"Production"}}'. */
  private static void promote(KubernetesClient client, String version) {
    client.resources(ModelVersion.class).inNamespace(NAMESPACE).withName(version).edit(v -> {
      v.getSpec().setStage(Stage.Production);
      return v;
    });
  }

  private static void applyFromResource(KubernetesClient client, String manifest) throws Exception {
    try (InputStream in = Files.newInputStream(MANIFESTS.resolve(manifest))) {
      client.load(in).inNamespace(NAMESPACE).resources().forEach(resource -> resource.createOr(existing -> existing.update()));
    }
  }

  private static int servicePort(FlywheelCluster cluster) {
    try {
      return cluster.serviceUrl(NAMESPACE, MODEL, 8080).map(url -> url.getPort()).orElse(0);
    } catch (Exception e) {
      return 0;
    }
  }

  private static Optional<ModelDeployment> deployment(KubernetesClient client) {
    return Optional.ofNullable(client.resources(ModelDeployment.class).inNamespace(NAMESPACE).withName(MODEL).get());
  }

  private static Optional<Condition> condition(ModelDeployment deployment, String type) {
    return deployment.getStatus() == null || deployment.getStatus().getConditions() == null ? Optional.empty()
        : deployment.getStatus().getConditions().stream().filter(c -> type.equals(c.getType())).findFirst();
  }

  private static List<Event> events(KubernetesClient client, String reason) {
    return client.v1().events().inNamespace(NAMESPACE).list().getItems().stream()
        .filter(e -> reason.equals(e.getReason()) && MODEL.equals(e.getInvolvedObject().getName())
            && "ModelDeployment".equals(e.getInvolvedObject().getKind()))
        .toList();
  }

  private static boolean canaryGone(KubernetesClient client) {
    Deployment canary = client.apps().deployments().inNamespace(NAMESPACE).withName(MODEL + "-canary").get();
    boolean noPods = client.pods().inNamespace(NAMESPACE).withLabel("mlops.flywheel.dev/track", "canary").list().getItems().isEmpty();
    return (canary == null || Integer.valueOf(0).equals(canary.getSpec().getReplicas())) && noPods;
  }

  private static int stableReady(KubernetesClient client) {
    Deployment stable = client.apps().deployments().inNamespace(NAMESPACE).withName(MODEL + "-stable").get();
    return stable == null || stable.getStatus() == null || stable.getStatus().getReadyReplicas() == null ? 0
        : stable.getStatus().getReadyReplicas();
  }

  private static String describe(Optional<ModelDeployment> deployment) {
    return deployment.map(d -> String.valueOf(d.getStatus())).orElse("no ModelDeployment");
  }

  private static String describeDeployments(KubernetesClient client) {
    return client.apps().deployments().inNamespace(NAMESPACE).list().getItems().stream()
        .map(d -> d.getMetadata().getName() + " replicas=" + d.getSpec().getReplicas() + " status=" + d.getStatus())
        .collect(Collectors.joining("; ")) + "; pods: " + client.pods().inNamespace(NAMESPACE).list().getItems().stream()
        .map(p -> p.getMetadata().getName() + " " + p.getMetadata().getLabels()).collect(Collectors.joining(", "));
  }
}
