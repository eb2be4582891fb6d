package dev.flywheel.e2e;

import dev.flywheel.crds.common.Condition;
import dev.flywheel.crds.modeldeployment.ModelDeployment;
import dev.flywheel.crds.modelversion.ModelVersion;
import dev.flywheel.crds.modelversion.Stage;
import dev.flywheel.crds.trainingjob.TrainingJob;
import dev.flywheel.crds.validation.RepoPaths;
import dev.flywheel.e2e.cluster.FlywheelCluster;
import dev.flywheel.sandbox.story.ChurnData;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.function.Predicate;

/**
 * What the data-guard scenarios do as a user would, in one namespace of a {@link FlywheelCluster}: churn data into a
 * claim, Sites from examples/sandbox/sites.yaml, TrainingJobs and ModelDeployments applied as YAML, a version trained,
 * validated and promoted, inference requests through the Service; and bounded waits whose failure names what was
 * awaited, the last thing seen and where the cluster's logs are.
 */
final class ChurnSteps {
  static final String DATA_CLAIM = "customer-data";
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private final FlywheelCluster cluster;
  private final String namespace;
  private final Random random = new Random(5);

  ChurnSteps(FlywheelCluster cluster, String namespace) {
    this.cluster = cluster;
    this.namespace = namespace;
    client().namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(namespace).endMetadata().build())
        .createOr(existing -> existing.update());
  }

  KubernetesClient client() {
    return cluster.client();
  }

  String namespace() {
    return namespace;
  }

  /** Writes a CSV into the data claim; a TrainingJob reads it as {@code pvc://customer-data/<path>}. */
  String writeData(String path, String csv) throws Exception {
    cluster.writeToClaim(namespace, DATA_CLAIM, path, csv.getBytes(StandardCharsets.UTF_8));
    return "pvc://" + DATA_CLAIM + "/" + path;
  }

  /** Today's churn customers, as the sandbox trains on them. */
  static String churnCsv(int rows, long seed) {
    return new String(ChurnData.csv(rows, seed, 0), StandardCharsets.UTF_8);
  }

  /** Creates or updates the Sites of examples/sandbox/sites.yaml with these names (cluster-scoped). */
  void applySites(String... names) throws Exception {
    List<String> wanted = List.of(names);
    try (InputStream in = Files.newInputStream(RepoPaths.root().resolve("examples/sandbox/sites.yaml"))) {
      List<HasMetadata> sites = client().load(in).items().stream()
          .filter(site -> wanted.contains(site.getMetadata().getName())).toList();
      if (sites.size() != wanted.size()) {
        throw new IllegalArgumentException("examples/sandbox/sites.yaml has not every Site of " + wanted);
      }
      sites.forEach(site -> client().resource(site).createOr(existing -> existing.update()));
    }
  }

  /** Applies YAML (one or more documents) into this namespace, as {@code kubectl apply -n <namespace>} would. */
  void apply(String yaml) {
    client().load(new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8))).inNamespace(namespace).resources()
        .forEach(resource -> resource.createOr(existing -> existing.update()));
  }

  /** A churn TrainingJob (model churn, binary classification on label churned, bundles to pvc://models/churn). */
  static String trainingJob(String name, String datasetUri, String classification, String site) {
    return """
        apiVersion: mlops.flywheel.dev/v1alpha1
        kind: TrainingJob
        metadata:
          name: %s
        spec:
          model: churn
          task: binaryClassification
          dataset:
            uri: %s
            label: churned
            classification: %s
          algorithm:
            hiddenLayers: [16]
            epochs: 5
          seed: 42
          output:
            uri: pvc://models/churn
          placement:
            site: %s
          activeDeadlineSeconds: 300
        """.formatted(name, datasetUri, classification, site);
  }

  /**
   * The churn ModelDeployment (name churn, model churn).
   *
   * @param serves what it serves, as its spec line: "version: churn-v1" or "followStage: Production"
   * @param sites the Sites it may be placed on
   */
  static String modelDeployment(String serves, int replicas, String... sites) {
    return """
        apiVersion: mlops.flywheel.dev/v1alpha1
        kind: ModelDeployment
        metadata:
          name: churn
        spec:
          model: churn
          %s
          replicas: %d
          placement:
            sites: [%s]
        """.formatted(serves, replicas, String.join(", ", sites));
  }

  /** Trains on clean churn data (restricted, placed automatically), waits until its ModelVersion is Validated. */
  String trainValidated(String trainingJobName, String datasetUri) throws Exception {
    apply(trainingJob(trainingJobName, datasetUri, "restricted", "auto"));
    TrainingJob trained = await("TrainingJob " + trainingJobName + " to succeed with a ModelVersion", Duration.ofSeconds(150),
        () -> trainingJob(trainingJobName), job -> job.getStatus() != null && "Succeeded".equals(String.valueOf(job.getStatus().getPhase()))
            && job.getStatus().getModelVersion() != null);
    String version = trained.getStatus().getModelVersion();
    await("ModelVersion " + version + " to be Validated", Duration.ofSeconds(120), () -> modelVersion(version),
        mv -> mv.getStatus() != null && "True".equals(conditionStatus(mv.getStatus().getConditions(), "Validated")));
    return version;
  }

  /** {@code kubectl patch mv <version> --type merge -p '{"spec":{"stage":"Production"}}'}. */
  void promote(String version) {
    client().resources(ModelVersion.class).inNamespace(namespace).withName(version).edit(mv -> {
      mv.getSpec().setStage(Stage.Production);
      return mv;
    });
  }

  TrainingJob trainingJob(String name) {
    return client().resources(TrainingJob.class).inNamespace(namespace).withName(name).get();
  }

  ModelVersion modelVersion(String name) {
    return client().resources(ModelVersion.class).inNamespace(namespace).withName(name).get();
  }

  ModelDeployment modelDeployment(String name) {
    return client().resources(ModelDeployment.class).inNamespace(namespace).withName(name).get();
  }

  List<ModelVersion> modelVersions() {
    return client().resources(ModelVersion.class).inNamespace(namespace).list().getItems();
  }

  List<Deployment> deployments() {
    return client().apps().deployments().inNamespace(namespace).list().getItems();
  }

  List<Job> jobs() {
    return client().batch().v1().jobs().inNamespace(namespace).list().getItems();
  }

  List<Pod> pods() {
    return client().pods().inNamespace(namespace).list().getItems();
  }

  /** The Service's URL on this machine once it has a ready endpoint. */
  URI serviceUrl(String service) throws Exception {
    return await("Service " + service + " to have a ready endpoint", Duration.ofSeconds(60),
        () -> cluster.serviceUrl(namespace, service, 8080).orElse(null), url -> true);
  }

  /** Sends one churn customer to the model server behind {@code base}; the HTTP status (0: no answer at all). */
  int infer(URI base) {
    HttpRequest request = HttpRequest.newBuilder(base.resolve("/v2/models/churn/infer")).timeout(Duration.ofSeconds(10))
        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(ChurnData.validRequest(random))).build();
    try {
      return HTTP.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
    } catch (Exception e) {
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
      return 0;
    }
  }

  /** The status (True, False, Unknown) of the condition of this type, or null. */
  static String conditionStatus(List<Condition> conditions, String type) {
    return condition(conditions, type).map(c -> String.valueOf(c.getStatus())).orElse(null);
  }

  static Optional<Condition> condition(List<Condition> conditions, String type) {
    return conditions == null ? Optional.empty() : conditions.stream().filter(c -> type.equals(c.getType())).findFirst();
  }

  /**
   * Polls {@code value} until {@code done} holds; fails after {@code timeout} with what it waited for, the last value
   * seen and the cluster's logs. A read that throws (the API busy) counts as not yet.
   */
  <T> T await(String what, Duration timeout, Callable<T> value, Predicate<T> done) throws InterruptedException {
    long end = System.nanoTime() + timeout.toNanos();
    Object last = null;
    while (System.nanoTime() < end) {
      try {
        T seen = value.call();
        last = seen;
        if (seen != null && done.test(seen)) {
          return seen;
        }
      } catch (Exception e) {
        last = e;
      }
      Thread.sleep(500);
    }
    throw new AssertionError("timed out waiting for " + what + " (" + timeout.toSeconds() + " s); last seen: "
        + describe(last) + "; logs: " + cluster.logs());
  }

  /** Checks {@code holds} on every look for {@code period}; fails at once, with the value, when it does not hold. */
  <T> void holdsFor(String what, Duration period, Callable<T> value, Predicate<T> holds) throws Exception {
    long end = System.nanoTime() + period.toNanos();
    do {
      T seen = value.call();
      if (!holds.test(seen)) {
        throw new AssertionError("expected " + what + " throughout " + period.toSeconds() + " s, but saw: " + describe(seen)
            + "; logs: " + cluster.logs());
      }
      Thread.sleep(500);
    } while (System.nanoTime() < end);
  }

  private static String describe(Object value) {
    if (value instanceof HasMetadata resource) {
      Object status = resource instanceof TrainingJob job ? job.getStatus()
          : resource instanceof ModelDeployment deployment ? deployment.getStatus()
          : resource instanceof ModelVersion version ? version.getStatus() : null;
      return resource.getKind() + " " + resource.getMetadata().getName() + (status != null ? " status " + status : "");
    }
    return String.valueOf(value);
  }
}
