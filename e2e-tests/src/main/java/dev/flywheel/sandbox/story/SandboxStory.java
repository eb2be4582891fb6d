package dev.flywheel.sandbox.story;

import dev.flywheel.crds.modeldeployment.LastRetrain;
import dev.flywheel.crds.modeldeployment.ModelDeployment;
import dev.flywheel.crds.modelversion.ModelVersion;
import dev.flywheel.crds.modelversion.Stage;
import dev.flywheel.crds.trainingjob.TrainingJob;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The sandbox's story, the whole model life cycle on one machine: churn data on premises, a TrainingJob on
 * restricted data, its ModelVersion validated and promoted, served by a ModelDeployment and watched through
 * Prometheus; then the customers change, drift and accuracy fire a retrain on the base data plus the captured
 * traffic, the new version passes its gates and beats the current one on fresh rows, the canary steps through its
 * analysis and becomes stable, and drift and accuracy recover. It acts only as a user would (apply manifests from
 * examples/sandbox/, promote a version, send traffic) and reads what happened from the API and Prometheus.
 */
public final class SandboxStory {
  public static final String NAMESPACE = "sandbox";
  private static final String MODEL = "churn";
  private static final String DATA_CLAIM = "customer-data";
  private static final String BASE_CSV = "churn/base.csv";
  private static final String HOLDOUT_CSV = "churn/fresh/holdout.csv";
  /** Rows each serving pod must have scored before its drift is read: fewer make the PSI noise, not a measurement. */
  private static final int MEASURED_ROWS = 200;
  /** How a retrain ends (the operator's RetrainOutcome); before that it is Running, Validating or Comparing. */
  private static final Set<String> FINAL_OUTCOMES = Set.of("Promoted", "Registered", "Rejected", "Failed");

  private final KubernetesClient client;
  private final Path manifests;
  private final ClaimWriter claims;
  private final Supplier<Optional<URI>> serviceUrl;
  private final PromQuery prometheus;
  private final Timeline timeline;
  private final StoryReport report;

  /**
   * @param manifests  examples/sandbox/
   * @param claims     writes the story's data into a claim of the sandbox namespace (pvc://claim/path reads it)
   * @param serviceUrl a loopback URL of the ModelDeployment's Service (port 8080), empty while it has no ready endpoint
   */
  public SandboxStory(KubernetesClient client, Path manifests, ClaimWriter claims, Supplier<Optional<URI>> serviceUrl,
      String prometheusUrl, Timeline timeline, StoryReport report) {
    this.client = client;
    this.manifests = manifests;
    this.claims = claims;
    this.serviceUrl = serviceUrl;
    this.prometheus = new PromQuery(prometheusUrl);
    this.timeline = timeline;
    this.report = report;
  }

  /** Runs the story to its end; true when the loop closed. Never longer than {@code budget}. */
  public boolean run(Duration budget) throws Exception {
    Deadline deadline = new Deadline(budget);
    claims.write(DATA_CLAIM, BASE_CSV, ChurnData.csv(1500, 7, 0));
    step("data", Map.of("baseRows", 1500, "file", "pvc://" + DATA_CLAIM + "/" + BASE_CSV));
    client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(NAMESPACE).endMetadata().build())
        .createOr(existing -> existing.update());
    apply("sites.yaml");
    apply("trainingjob.yaml");
    TrainingJob first = deadline.await("the first TrainingJob to succeed", () -> trainingJob("churn-v1")
        .filter(job -> job.getStatus() != null && "Succeeded".equals(String.valueOf(job.getStatus().getPhase()))
            && job.getStatus().getModelVersion() != null));
    step("trained", Map.of("trainingJob", "churn-v1", "site", first.getStatus().getSite(),
        "metrics", first.getStatus().getMetrics(), "modelVersion", first.getStatus().getModelVersion()));
    String v1 = first.getStatus().getModelVersion();
    deadline.await("ModelVersion " + v1 + " to be validated",
        () -> modelVersion(v1).filter(version -> "True".equals(condition(version, "Validated"))));
    step("validated", Map.of("modelVersion", v1));

    timeline.say("promoting " + v1 + " to Production (kubectl patch mv " + v1 + " --type merge -p '{\"spec\":{\"stage\":\"Production\"}}')");
    client.resources(ModelVersion.class).inNamespace(NAMESPACE).withName(v1)
        .edit(version -> {
          version.getSpec().setStage(Stage.Production);
          return version;
        });
    apply("modeldeployment.yaml");
    deadline.await("the ModelDeployment to serve " + v1, () -> deployment()
        .filter(deployment -> v1.equals(deployment.getStatus() == null ? null : deployment.getStatus().getCurrentVersion())
            && "True".equals(deploymentCondition(deployment, "Ready"))));
    step("serving", Map.of("modelVersion", v1));

    try (TrafficGenerator traffic = new TrafficGenerator(this::servicePort, 40, deadline.remaining().toMillis())) {
      timeline.say("traffic: 40 customers a second like the training data, each followed by its true label");
      deadline.sleep(Duration.ofSeconds(25));
      Map<String, Object> before = quality(v1);
      step("watched", before);
      report.fact("beforeShift", before);

      claims.write(DATA_CLAIM, HOLDOUT_CSV, ChurnData.csv(600, 21, 0.5));
      traffic.shiftedShare(0.5);
      timeline.say("the customers change: half of them now long-tenure, two-year, price-sensitive; fresh labelled rows "
          + "arrive for the promotion comparison");
      ModelDeployment fired = deadline.await("a retraining trigger to fire", () -> deployment()
          .filter(deployment -> deployment.getStatus() != null && deployment.getStatus().getLastRetrain() != null));
      LastRetrain retrain = fired.getStatus().getLastRetrain();
      Map<String, Object> firing = new LinkedHashMap<>(quality(v1));
      firing.put("trigger", retrain.getReason());
      firing.put("triggers", StatusLines.triggers(fired));
      firing.put("trainingJob", retrain.getTrainingJob());
      step("drift fired", firing);
      report.fact("shifted", firing);

      ModelDeployment decided = deadline.await("the retrained version to be judged", () -> deployment()
          .filter(deployment -> finalOutcome(deployment.getStatus().getLastRetrain())));
      LastRetrain judged = decided.getStatus().getLastRetrain();
      Map<String, Object> gates = new LinkedHashMap<>();
      gates.put("outcome", judged.getOutcome());
      gates.put("modelVersion", judged.getModelVersion());
      gates.put("candidate", judged.getCandidateMetrics());
      gates.put("current", judged.getCurrentMetrics());
      gates.put("message", judged.getMessage());
      step("gates", gates);
      report.fact("retrain", gates);
      if (!"Promoted".equals(judged.getOutcome())) {
        report.failed("the retrained version was not promoted: " + judged.getMessage());
        return false;
      }
      String v2 = judged.getModelVersion();
      deadline.await("the canary of " + v2 + " to start", () -> deployment()
          .filter(deployment -> v2.equals(deployment.getStatus().getCanaryVersion())
              || v2.equals(deployment.getStatus().getCurrentVersion())));
      step("canary", Map.of("modelVersion", v2));
      ModelDeployment promoted = deadline.await(v2 + " to become stable", () -> deployment()
          .filter(deployment -> v2.equals(deployment.getStatus().getCurrentVersion())
              && deployment.getStatus().getCanaryVersion() == null));
      step("stable", Map.of("modelVersion", v2, "analysis", promoted.getStatus().getRollout() == null ? "n/a"
          : String.valueOf(promoted.getStatus().getRollout().getAnalysis())));
      deadline.sleep(Duration.ofSeconds(25));
      deadline.await("every pod of " + v2 + " to have scored " + MEASURED_ROWS + " rows", () -> prometheus
          .value("min(flywheel_drift_window_rows{" + scope(v2) + "})").stream()
          .filter(rows -> rows >= MEASURED_ROWS).boxed().findFirst());
      Map<String, Object> after = quality(v2);
      step("recovered", after);
      report.fact("afterRetrain", after);
      report.fact("versions", Map.of("first", v1, "retrained", v2));
      report.fact("traffic", Map.of("sent", traffic.sent(), "answered", traffic.answered(), "failed", traffic.failed()));
      if (recovered(firing, after)) {
        report.closed();
      } else {
        report.failed("drift or accuracy did not recover: " + firing + " then " + after);
      }
    }
    return report.loopClosed();
  }

  /** The port of the Service's loopback URL, 0 while there is none (the traffic generator then waits). */
  private int servicePort() {
    return serviceUrl.get().map(URI::getPort).orElse(0);
  }

  /** Runs the story and never throws: a timeout or an error is recorded in the report. True when the loop closed. */
  public boolean runToEnd(Duration budget) {
    try {
      return run(budget);
    } catch (StoryTimeout e) {
      return false; // the report already says what was awaited
    } catch (Exception e) {
      report.failed(e.getClass().getSimpleName() + ": " + e.getMessage());
      return false;
    }
  }

  private static boolean recovered(Map<String, Object> shifted, Map<String, Object> after) {
    double driftBefore = (double) shifted.getOrDefault("drift", Double.NaN);
    double driftAfter = (double) after.getOrDefault("drift", Double.NaN);
    double accuracyBefore = (double) shifted.getOrDefault("accuracy", Double.NaN);
    double accuracyAfter = (double) after.getOrDefault("accuracy", Double.NaN);
    return driftAfter < driftBefore && accuracyAfter > accuracyBefore;
  }

  private static boolean finalOutcome(LastRetrain retrain) {
    return retrain != null && FINAL_OUTCOMES.contains(retrain.getOutcome());
  }

  /** Drift and online accuracy of one version (its ModelVersion, the servers' version label) now, as the triggers see them. */
  private Map<String, Object> quality(String version) {
    String scope = scope(version);
    Map<String, Object> quality = new LinkedHashMap<>();
    quality.put("version", version);
    put(quality, "drift", prometheus.value("max(flywheel_feature_drift_psi{" + scope + "})"));
    put(quality, "accuracy", prometheus.value("min(flywheel_online_accuracy{" + scope + "})"));
    return quality;
  }

  /** The PromQL label matchers of one version's serving pods. */
  private static String scope(String version) {
    return "namespace=\"" + NAMESPACE + "\",model=\"" + MODEL + "\",version=\"" + version + "\"";
  }

  private static void put(Map<String, Object> map, String key, OptionalDouble value) {
    if (value.isPresent()) {
      map.put(key, Math.round(value.getAsDouble() * 1000) / 1000.0);
    }
  }

  private void apply(String manifest) throws IOException {
    timeline.say("kubectl apply -f examples/sandbox/" + manifest);
    try (var in = Files.newInputStream(manifests.resolve(manifest))) {
      client.load(in).inNamespace(NAMESPACE).resources().forEach(resource -> resource.createOr(existing -> existing.update()));
    }
  }

  private Optional<TrainingJob> trainingJob(String name) {
    return Optional.ofNullable(client.resources(TrainingJob.class).inNamespace(NAMESPACE).withName(name).get());
  }

  private Optional<ModelVersion> modelVersion(String name) {
    return Optional.ofNullable(client.resources(ModelVersion.class).inNamespace(NAMESPACE).withName(name).get());
  }

  private Optional<ModelDeployment> deployment() {
    return Optional.ofNullable(client.resources(ModelDeployment.class).inNamespace(NAMESPACE).withName(MODEL).get());
  }

  private static String condition(ModelVersion version, String type) {
    return version.getStatus() == null ? null : StatusLines.condition(version.getStatus().getConditions(), type);
  }

  private static String deploymentCondition(ModelDeployment deployment, String type) {
    return deployment.getStatus() == null ? null : StatusLines.condition(deployment.getStatus().getConditions(), type);
  }

  private void step(String name, Map<String, Object> facts) {
    report.step(name, timeline.elapsedSeconds(), facts);
    timeline.say("── " + name + ": " + facts);
  }

  /** Waits within the story's time budget; what it waited for is the failure when the budget runs out. */
  private final class Deadline {
    private final long endNanos;

    Deadline(Duration budget) {
      this.endNanos = System.nanoTime() + budget.toNanos();
    }

    Duration remaining() {
      return Duration.ofNanos(Math.max(0, endNanos - System.nanoTime()));
    }

    <T> T await(String what, Supplier<Optional<T>> probe) throws InterruptedException {
      while (System.nanoTime() < endNanos) {
        Optional<T> found;
        try {
          found = probe.get();
        } catch (RuntimeException e) {
          found = Optional.empty(); // the API restarting or a half-written status: look again
        }
        if (found.isPresent()) {
          return found.get();
        }
        Thread.sleep(500);
      }
      String why = "timed out waiting for " + what;
      report.failed(why);
      throw new StoryTimeout(why);
    }

    void sleep(Duration duration) throws InterruptedException {
      Thread.sleep(Math.min(duration.toMillis(), remaining().toMillis()));
    }
  }

  /** The story ran out of time at one of its steps. */
  public static final class StoryTimeout extends RuntimeException {
    StoryTimeout(String message) {
      super(message, null, false, false);
    }
  }
}
