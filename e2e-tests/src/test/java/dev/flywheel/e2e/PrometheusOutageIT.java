package dev.flywheel.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.flywheel.crds.common.Condition;
import dev.flywheel.crds.common.ConditionStatus;
import dev.flywheel.crds.modeldeployment.ModelDeployment;
import dev.flywheel.crds.modeldeployment.TriggerStatus;
import dev.flywheel.crds.modelversion.ModelVersion;
import dev.flywheel.crds.modelversion.Stage;
import dev.flywheel.crds.trainingjob.TrainingJob;
import dev.flywheel.crds.validation.RepoPaths;
import dev.flywheel.e2e.cluster.FlywheelCluster;
import dev.flywheel.operator.common.Labels;
import dev.flywheel.operator.retraining.RetrainJobBuilder;
import dev.flywheel.sandbox.story.ChurnData;
import dev.flywheel.sandbox.story.TrafficGenerator;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.Set;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue #10's "Prometheus stopped mid-loop": a ModelDeployment serves churn-v1 with drift and accuracy triggers and
 * traffic like its training data, metrics measured; then Prometheus stops and the customers change so that the
 * triggers would fire if anyone could measure them. For longer than the triggers' {@code for} plus several
 * evaluation intervals nothing retrains, {@code MetricsAvailable=False} says Prometheus is unreachable, and v1 keeps
 * answering. Prometheus starts again: metrics come back, and exactly one retrain follows, only once a trigger has held
 * for its whole {@code for} after the recovery (the outage counted for nothing, nothing was queued).
 */
class PrometheusOutageIT {
  private static final String NAMESPACE = "prom-outage";
  private static final String DEPLOYMENT = "churn";
  private static final int SERVING_PORT = 8080;
  private static final Path MANIFEST = Path.of("e2e-tests/src/test/resources/prometheus-outage/modeldeployment.yaml");
  /** The triggers' {@code for} in that manifest. */
  private static final Duration HOLD_FOR = Duration.ofSeconds(10);
  /** How often the operator evaluates the triggers: its retraining interval (the sandbox's 5 s; the scrape interval is 2 s). */
  private static final Duration EVALUATION = Duration.ofSeconds(5);
  private static final double DRIFT_THRESHOLD = 0.25;
  private static final double SHIFTED_SHARE = 0.8;
  private static final String METRICS_AVAILABLE = "MetricsAvailable";

  private static FlywheelCluster cluster;
  private static KubernetesClient client;
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  @TempDir static Path tmp;

  @BeforeAll
  static void startCluster() throws Exception {
    cluster = FlywheelCluster.open("PrometheusOutageIT", NAMESPACE);
    client = cluster.client();
  }

  @AfterAll
  static void stopCluster() {
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  void anOutageRetrainsNothingAndRecoveryStartsTheTriggerClockOverWithOneRetrain() throws Exception {
    String v1 = serveFirstVersion();
    URI service = await("Service churn to have a ready endpoint", Duration.ofSeconds(60),
        () -> cluster.serviceUrl(NAMESPACE, DEPLOYMENT, SERVING_PORT), () -> "no local URL yet");
    try (TrafficGenerator traffic = new TrafficGenerator(service::getPort, 40, Duration.ofMinutes(8).toMillis())) {
      await("MetricsAvailable=True while traffic like the training data runs", Duration.ofSeconds(90),
          () -> deployment().filter(d -> traffic.answered() >= 200 && conditionIs(d, METRICS_AVAILABLE, ConditionStatus.True)),
          PrometheusOutageIT::lastSeen);
      assertThat(retrainJobs()).as("no retrain before the outage: the triggers are quiet on training-like traffic; " + lastSeen())
          .isEmpty();

      Instant beforeOutage = Instant.now().minusSeconds(2);
      cluster.stopPrometheus();
      Instant stopped = Instant.now();
      traffic.shiftedShare(SHIFTED_SHARE);
      holdThroughOutage(v1, service, traffic, stopped);

      Instant restarted = Instant.now().truncatedTo(ChronoUnit.SECONDS);
      cluster.startPrometheus();
      assertThat(requestsAt(beforeOutage)).as("Prometheus started again with what it had scraped before the outage").isPositive();
      recover(v1, restarted);
      assertThat(traffic.lastVersion()).as("v1 answers until a person promotes something else").isEqualTo(v1);
    }
  }

  /** Data, Sites, the first TrainingJob, its version validated and promoted, the ModelDeployment serving it. */
  private static String serveFirstVersion() throws Exception {
    client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(NAMESPACE).endMetadata().build())
        .createOr(existing -> existing.update());
    Path base = ChurnData.writeCsv(tmp.resolve("base.csv"), 1500, 7);
    cluster.writeToClaim(NAMESPACE, "customer-data", "churn/base.csv", Files.readAllBytes(base));
    try (InputStream sites = Files.newInputStream(RepoPaths.root().resolve("examples/sandbox/sites.yaml"))) {
      client.load(sites).resources().forEach(site -> site.createOr(existing -> existing.update()));
    }
    TrainingJob first;
    try (InputStream job = Files.newInputStream(RepoPaths.root().resolve("examples/sandbox/trainingjob.yaml"))) {
      first = client.resources(TrainingJob.class).load(job).item();
    }
    first.getMetadata().setNamespace(NAMESPACE);
    client.resource(first).create();
    String name = first.getMetadata().getName();
    TrainingJob trained = await("TrainingJob " + name + " to succeed", Duration.ofMinutes(4),
        () -> Optional.ofNullable(client.resources(TrainingJob.class).inNamespace(NAMESPACE).withName(name).get())
            .filter(job -> job.getStatus() != null && "Succeeded".equals(String.valueOf(job.getStatus().getPhase()))
                && job.getStatus().getModelVersion() != null),
        () -> String.valueOf(client.resources(TrainingJob.class).inNamespace(NAMESPACE).withName(name).get().getStatus()));
    String v1 = trained.getStatus().getModelVersion();
    await("ModelVersion " + v1 + " to be validated", Duration.ofMinutes(2),
        () -> Optional.ofNullable(modelVersion(v1)).filter(v -> v.getStatus() != null
            && condition(v.getStatus().getConditions(), "Validated").map(c -> c.getStatus() == ConditionStatus.True).orElse(false)),
        () -> String.valueOf(modelVersion(v1).getStatus()));
    client.resources(ModelVersion.class).inNamespace(NAMESPACE).withName(v1).edit(version -> {
      version.getSpec().setStage(Stage.Production);
      return version;
    });
    ModelDeployment deployment;
    try (InputStream manifest = Files.newInputStream(RepoPaths.root().resolve(MANIFEST))) {
      deployment = client.resources(ModelDeployment.class).load(manifest).item();
    }
    deployment.getMetadata().setNamespace(NAMESPACE);
    client.resource(deployment).create();
    await("the ModelDeployment to serve " + v1, Duration.ofMinutes(2),
        () -> deployment().filter(d -> v1.equals(d.getStatus().getCurrentVersion()) && conditionIs(d, "Ready", ConditionStatus.True)),
        PrometheusOutageIT::lastSeen);
    return v1;
  }

  /**
   * Prometheus is down and the served drift is above the threshold: for at least {@code for} plus four evaluations,
   * and until the drift has stood above its threshold for that long as well, every look finds metrics unavailable
   * with the reason, no trigger holding, nothing retrained, v1 serving and answering.
   */
  private static void holdThroughOutage(String v1, URI service, TrafficGenerator traffic, Instant stopped) throws Exception {
    ModelDeployment down = await("MetricsAvailable=False once Prometheus stopped", EVALUATION.multipliedBy(3).plusSeconds(20),
        () -> deployment().filter(d -> conditionIs(d, METRICS_AVAILABLE, ConditionStatus.False)), PrometheusOutageIT::lastSeen);
    Condition unavailable = condition(down.getStatus().getConditions(), METRICS_AVAILABLE).orElseThrow();
    assertThat(unavailable.getReason()).isEqualTo("PrometheusUnreachable");
    assertThat(unavailable.getMessage()).as("the message names Prometheus and that nothing fires")
        .contains("cannot reach Prometheus").contains("no trigger fires while metrics are unavailable");
    measured("MetricsAvailable=False %d s after Prometheus stopped: %s", Duration.between(stopped, Instant.now()).toSeconds(),
        unavailable.getMessage());

    long answeredBefore = traffic.answered();
    long failedBefore = traffic.failed();
    Instant start = Instant.now();
    Duration least = HOLD_FOR.plus(EVALUATION.multipliedBy(4));
    Duration driftHeldFor = HOLD_FOR.plus(EVALUATION.multipliedBy(2));
    Instant giveUp = start.plus(least).plusSeconds(60);
    Instant driftAboveSince = null;
    double lastDrift = Double.NaN;
    int looks = 0;
    Set<String> evaluations = new HashSet<>();
    while (Instant.now().isBefore(start.plus(least)) || driftAboveSince == null
        || Duration.between(driftAboveSince, Instant.now()).compareTo(driftHeldFor) < 0) {
      assertThat(Instant.now()).as("the shifted traffic should raise v1's drift above %s on the server itself; last %s; logs: %s",
          DRIFT_THRESHOLD, lastDrift, cluster.logs()).isBefore(giveUp);
      ModelDeployment now = deployment().orElseThrow();
      assertOutage(now, v1);
      evaluations.add(now.getStatus().getTriggersEvaluatedAt());
      OptionalDouble drift = serverDrift(service);
      lastDrift = drift.orElse(Double.NaN);
      if (drift.isPresent() && drift.getAsDouble() > DRIFT_THRESHOLD) {
        driftAboveSince = driftAboveSince == null ? Instant.now() : driftAboveSince;
      } else {
        driftAboveSince = null;
      }
      looks++;
      Thread.sleep(1000);
    }
    long seconds = Duration.between(start, Instant.now()).toSeconds();
    long answered = traffic.answered() - answeredBefore;
    long failed = traffic.failed() - failedBefore;
    assertThat(looks).isGreaterThanOrEqualTo((int) least.toSeconds() / 2);
    assertThat(evaluations).as("the operator kept evaluating the triggers (status.triggersEvaluatedAt) through the outage")
        .hasSizeGreaterThanOrEqualTo(4);
    assertThat(answered).as("v1 kept answering during the %d s outage (%d failed)", seconds, failed).isGreaterThanOrEqualTo(5 * seconds);
    assertThat(failed).as("requests failed during the outage, of %d answered", answered).isLessThanOrEqualTo(answered / 50);
    assertThat(traffic.lastVersion()).isEqualTo(v1);
    measured("outage held %d s (%d looks): drift on the server above %s for the last %d s (last %.3f), %d requests answered by %s, %d failed",
        seconds, looks, DRIFT_THRESHOLD, Duration.between(driftAboveSince, Instant.now()).toSeconds(), lastDrift, answered, v1, failed);
  }

  /** What must hold at every look during the outage. */
  private static void assertOutage(ModelDeployment deployment, String v1) {
    String seen = describe(deployment);
    var status = deployment.getStatus();
    assertThat(condition(status.getConditions(), METRICS_AVAILABLE)).as(seen).hasValueSatisfying(c -> {
      assertThat(c.getStatus()).isEqualTo(ConditionStatus.False);
      assertThat(c.getReason()).isEqualTo("PrometheusUnreachable");
    });
    assertThat(status.getLastRetrain()).as("no retrain while Prometheus is down: " + seen).isNull();
    assertThat(retrainJobs()).as("no retraining TrainingJob while Prometheus is down: " + seen).isEmpty();
    assertThat(status.getTriggers()).as(seen).isNotEmpty().allSatisfy(trigger -> {
      assertThat(trigger.getFiring()).as("nothing fires on metrics nobody measured: " + seen).isFalse();
      assertThat(trigger.getSince()).as("no clock runs while nothing is measured: " + seen).isNull();
      assertThat(trigger.getValue()).as(seen).isNull();
    });
    assertThat(status.getCurrentVersion()).as(seen).isEqualTo(v1);
    assertThat(conditionIs(deployment, "Ready", ConditionStatus.True)).as("v1 serves on: " + seen).isTrue();
  }

  /**
   * Prometheus is back: MetricsAvailable=True, then exactly one retrain, started by a trigger whose condition began
   * to hold after the restart and had held for its whole {@code for}; no second one follows.
   */
  private static void recover(String v1, Instant restarted) throws Exception {
    ModelDeployment measured = await("MetricsAvailable=True once Prometheus started again", EVALUATION.multipliedBy(3).plusSeconds(30),
        () -> deployment().filter(d -> conditionIs(d, METRICS_AVAILABLE, ConditionStatus.True)), PrometheusOutageIT::lastSeen);
    Instant measuredAgain = Instant.parse(condition(measured.getStatus().getConditions(), METRICS_AVAILABLE).orElseThrow().getLastTransitionTime());
    assertThat(measuredAgain).isAfterOrEqualTo(restarted);

    ModelDeployment fired = await("a retrain once a trigger held for its `for` after the recovery",
        HOLD_FOR.plus(EVALUATION.multipliedBy(4)).plusSeconds(60),
        () -> deployment().filter(d -> d.getStatus().getLastRetrain() != null), PrometheusOutageIT::lastSeen);
    String seen = describe(fired);
    List<TrainingJob> retrains = retrainJobs();
    assertThat(retrains).as("one retrain, not a burst: " + seen).hasSize(1);
    TrainingJob job = retrains.get(0);
    assertThat(job.getMetadata().getName()).isEqualTo(fired.getStatus().getLastRetrain().getTrainingJob());
    String trigger = job.getMetadata().getLabels().get(RetrainJobBuilder.TRIGGER);
    Instant since = Instant.parse(job.getMetadata().getAnnotations().get(RetrainJobBuilder.TRIGGER_SINCE));
    Instant startedAt = Instant.parse(fired.getStatus().getLastRetrain().getTime());
    assertThat(since).as("the trigger's clock started after the restart (%s), with metrics measured again (%s): %s",
        restarted, measuredAgain, seen).isAfterOrEqualTo(measuredAgain);
    assertThat(startedAt).as("the retrain waited for the trigger to hold its whole `for` after the recovery: " + seen)
        .isAfterOrEqualTo(since.plus(HOLD_FOR)).isAfterOrEqualTo(restarted.plus(HOLD_FOR));
    TriggerStatus firing = fired.getStatus().getTriggers().stream().filter(t -> trigger.equals(t.getName())).findFirst().orElseThrow();
    assertThat(firing.getFiring()).as(seen).isTrue();
    assertThat(firing.getSince()).as(seen).isEqualTo(since.toString());
    assertThat(firing.getVersion()).isEqualTo(v1);
    assertThat(fired.getStatus().getLastRetrain().getReason()).as(seen).startsWith("trigger " + trigger + " = ").endsWith("since " + since);
    assertThat(conditionIs(fired, "Retraining", ConditionStatus.True)).as(seen).isTrue();
    assertThat(fired.getStatus().getRetrainsToday()).as("within maxRetrainsPerDay 2: " + seen).isEqualTo(1);
    measured("after the restart at %s: MetricsAvailable=True at %s, trigger %s held since %s (value %s), retrain %s started at %s",
        restarted, measuredAgain, trigger, since, firing.getValue(), job.getMetadata().getName(), startedAt);

    Instant watchUntil = Instant.now().plus(EVALUATION.multipliedBy(4));
    while (Instant.now().isBefore(watchUntil)) {
      ModelDeployment now = deployment().orElseThrow();
      assertThat(retrainJobs()).as("still one retrain (cooldown 10m, nothing queued): " + describe(now)).hasSize(1);
      assertThat(now.getStatus().getCurrentVersion()).isEqualTo(v1);
      Thread.sleep(1000);
    }
  }

  /** How many requests Prometheus had counted for this namespace at an instant (0 when it has no sample then). */
  private static double requestsAt(Instant instant) throws Exception {
    String query = "sum(flywheel_requests_total{namespace=\"" + NAMESPACE + "\"})";
    URI uri = URI.create(cluster.prometheusUrl() + "/api/v1/query?query=" + URLEncoder.encode(query, StandardCharsets.UTF_8)
        + "&time=" + instant.getEpochSecond());
    HttpResponse<String> response = http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    JsonNode value = JSON.readTree(response.body()).path("data").path("result").path(0).path("value").path(1);
    return value.isMissingNode() ? 0 : Double.parseDouble(value.asText());
  }

  /** One line of what this run measured, in the failsafe report's output. */
  private static void measured(String format, Object... values) {
    System.out.println("PrometheusOutageIT: " + String.format(Locale.ROOT, format, values));
  }

  /** The largest feature or prediction drift the served pods report on /metrics right now, read through the Service. */
  private static OptionalDouble serverDrift(URI service) {
    try {
      HttpResponse<String> response = http.send(HttpRequest.newBuilder(service.resolve("/metrics")).timeout(Duration.ofSeconds(5)).build(),
          HttpResponse.BodyHandlers.ofString());
      return response.body().lines()
          .filter(line -> line.startsWith("flywheel_feature_drift_psi{") || line.startsWith("flywheel_prediction_drift_psi{"))
          .mapToDouble(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)))
          .filter(Double::isFinite).max();
    } catch (Exception e) {
      return OptionalDouble.empty();
    }
  }

  private static List<TrainingJob> retrainJobs() {
    return client.resources(TrainingJob.class).inNamespace(NAMESPACE).withLabel(Labels.DEPLOYMENT, DEPLOYMENT).list().getItems()
        .stream().filter(RetrainJobBuilder::isRetrain).toList();
  }

  private static Optional<ModelDeployment> deployment() {
    return Optional.ofNullable(client.resources(ModelDeployment.class).inNamespace(NAMESPACE).withName(DEPLOYMENT).get())
        .filter(d -> d.getStatus() != null);
  }

  private static ModelVersion modelVersion(String name) {
    return client.resources(ModelVersion.class).inNamespace(NAMESPACE).withName(name).get();
  }

  private static Optional<Condition> condition(List<Condition> conditions, String type) {
    return conditions == null ? Optional.empty() : conditions.stream().filter(c -> type.equals(c.getType())).findFirst();
  }

  private static boolean conditionIs(ModelDeployment deployment, String type, ConditionStatus status) {
    return condition(deployment.getStatus().getConditions(), type).map(c -> c.getStatus() == status).orElse(false);
  }

  private static String lastSeen() {
    try {
      return deployment().map(PrometheusOutageIT::describe).orElse("no ModelDeployment status") + "; retraining TrainingJobs "
          + retrainJobs().stream().map(j -> j.getMetadata().getName()).toList();
    } catch (RuntimeException e) {
      return "(API: " + e.getMessage() + ")";
    }
  }

  /** The status fields this test asserts on, one line. */
  private static String describe(ModelDeployment deployment) {
    var status = deployment.getStatus();
    String conditions = status.getConditions().stream()
        .map(c -> c.getType() + "=" + c.getStatus() + "/" + c.getReason() + " (" + c.getMessage() + ", " + c.getLastTransitionTime() + ")")
        .collect(Collectors.joining("; "));
    String triggers = status.getTriggers() == null ? "none" : status.getTriggers().stream()
        .map(t -> t.getName() + " value=" + t.getValue() + " firing=" + t.getFiring() + " since=" + t.getSince())
        .collect(Collectors.joining(", "));
    return "current=" + status.getCurrentVersion() + " evaluatedAt=" + status.getTriggersEvaluatedAt() + " triggers[" + triggers
        + "] lastRetrain=" + status.getLastRetrain() + " conditions[" + conditions + "]";
  }

  /** Polls every half second until {@code probe} finds something; fails with what was last seen and where the logs are. */
  private static <T> T await(String what, Duration timeout, ThrowingProbe<T> probe, Supplier<String> lastSeen) throws InterruptedException {
    Instant end = Instant.now().plus(timeout);
    String problem = "";
    while (Instant.now().isBefore(end)) {
      try {
        Optional<T> found = probe.get();
        if (found.isPresent()) {
          return found.get();
        }
        problem = "";
      } catch (Exception e) {
        problem = " (last look failed: " + e.getMessage() + ")";
      }
      Thread.sleep(500);
    }
    String seen;
    try {
      seen = Objects.toString(lastSeen.get());
    } catch (RuntimeException e) {
      seen = "(cannot read: " + e.getMessage() + ")";
    }
    throw new AssertionError("timed out after " + timeout.toSeconds() + " s waiting for " + what + "; last seen: " + seen + problem
        + "; logs: " + cluster.logs());
  }

  /** One look for what a wait waits for (the API may fail now and then). */
  @FunctionalInterface
  private interface ThrowingProbe<T> {
    Optional<T> get() throws Exception;
  }
}
