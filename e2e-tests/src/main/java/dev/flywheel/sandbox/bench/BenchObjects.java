package dev.flywheel.sandbox.bench;

import dev.flywheel.crds.modeldeployment.ModelDeployment;
import dev.flywheel.crds.modelversion.ModelVersion;
import dev.flywheel.crds.trainingjob.TrainingJob;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/** The objects of the scale benchmark, written as a user would write them (YAML), created through the API. */
final class BenchObjects {
  private final KubernetesClient client;
  private final Path sandboxManifests;

  BenchObjects(KubernetesClient client, Path sandboxManifests) {
    this.client = client;
    this.sandboxManifests = sandboxManifests;
  }

  /** The sandbox's Sites (onprem, cloud). */
  void sites() throws IOException {
    try (InputStream in = Files.newInputStream(sandboxManifests.resolve("sites.yaml"))) {
      client.load(in).resources().forEach(site -> site.create());
    }
  }

  /** Trains one real version in the served namespace and waits until it is validated; its name. */
  String validatedVersion(Duration timeout) throws InterruptedException {
    client.resources(TrainingJob.class).inNamespace(OperatorScaleBenchmark.SERVE).load(yaml("""
        apiVersion: mlops.flywheel.dev/v1alpha1
        kind: TrainingJob
        metadata: {name: seed}
        spec:
          model: churn
          task: binaryClassification
          dataset: {uri: pvc://customer-data/churn/base.csv, label: churned, classification: internal}
          algorithm: {hiddenLayers: [16], epochs: 3}
          output: {uri: pvc://models/churn}
        """)).create();
    long end = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < end) {
      TrainingJob seed = client.resources(TrainingJob.class).inNamespace(OperatorScaleBenchmark.SERVE).withName("seed").get();
      String name = seed.getStatus() == null ? null : seed.getStatus().getModelVersion();
      ModelVersion version = name == null ? null
          : client.resources(ModelVersion.class).inNamespace(OperatorScaleBenchmark.SERVE).withName(name).get();
      if (version != null && version.getStatus() != null && version.getStatus().getConditions().stream()
          .anyMatch(condition -> condition.getType().equals("Validated") && "True".equals(String.valueOf(condition.getStatus())))) {
        return name;
      }
      Thread.sleep(1000);
    }
    throw new IllegalStateException("the benchmark's seed version was not validated within " + timeout);
  }

  /** A ModelDeployment pinned to {@code version}, with no replicas (children, but no pods). */
  void modelDeployment(String name, String version) {
    client.resources(ModelDeployment.class).inNamespace(OperatorScaleBenchmark.SERVE).load(yaml("""
        apiVersion: mlops.flywheel.dev/v1alpha1
        kind: ModelDeployment
        metadata: {name: %s}
        spec: {model: churn, version: %s, replicas: 0}
        """.formatted(name, version))).create();
  }

  /** A TrainingJob in the namespace whose pods the node does not run: its Job is created and stays active. */
  void trainingJob(String name) {
    client.resources(TrainingJob.class).inNamespace(OperatorScaleBenchmark.TRAIN).load(yaml("""
        apiVersion: mlops.flywheel.dev/v1alpha1
        kind: TrainingJob
        metadata: {name: %s}
        spec:
          model: churn-%s
          task: binaryClassification
          dataset: {uri: pvc://customer-data/churn/base.csv, label: churned, classification: internal}
          output: {uri: pvc://models/churn}
        """.formatted(name, name))).create();
  }

  private static InputStream yaml(String text) {
    return new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8));
  }
}
