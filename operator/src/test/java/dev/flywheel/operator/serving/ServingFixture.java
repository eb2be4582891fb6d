package dev.flywheel.operator.serving;

import static org.awaitility.Awaitility.await;

import dev.flywheel.crds.modeldeployment.ModelDeployment;
import dev.flywheel.crds.modelversion.ModelVersion;
import dev.flywheel.crds.modelversion.Stage;
import dev.flywheel.crds.site.Site;
import dev.flywheel.crds.trainingjob.TrainingJob;
import dev.flywheel.operator.common.Conditions;
import dev.flywheel.operator.common.Labels;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatusBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.time.Duration;
import java.util.Map;

/**
 * What the reconciler tests need around a ModelDeployment on the mock API server: Sites, validated and promoted
 * ModelVersions (through the real ModelVersion reconciler, playing the validator's Job), and the Deployment
 * controller's part (pods ready), which the mock server does not play.
 */
final class ServingFixture {
  static final String NS = "serving";
  static final Duration WAIT = Duration.ofSeconds(20);

  private final KubernetesClient client;

  ServingFixture(KubernetesClient client) {
    this.client = client;
  }

  void sites() {
    client.resource(Serialization.unmarshal("""
        apiVersion: mlops.flywheel.dev/v1alpha1
        kind: Site
        metadata: {name: onprem}
        spec: {type: nodePool, nodeSelector: {pool: onprem}, allowedClassifications: [internal, restricted], priority: 10}
        """, Site.class)).create();
    client.resource(Serialization.unmarshal("""
        apiVersion: mlops.flywheel.dev/v1alpha1
        kind: Site
        metadata: {name: cloud}
        spec: {type: nodePool, nodeSelector: {pool: cloud}, allowedClassifications: [public], burst: true}
        """, Site.class)).create();
  }

  void cleanUp() {
    client.resources(ModelDeployment.class).inAnyNamespace().delete();
    client.resources(ModelVersion.class).inAnyNamespace().delete();
    client.resources(TrainingJob.class).inAnyNamespace().delete();
    client.resources(Site.class).delete();
    client.apps().deployments().inAnyNamespace().delete();
    client.services().inAnyNamespace().delete();
    client.policy().v1().podDisruptionBudget().inAnyNamespace().delete();
    client.batch().v1().jobs().inAnyNamespace().delete();
    client.pods().inAnyNamespace().delete();
    client.v1().events().inAnyNamespace().delete();
    await().atMost(WAIT).until(() -> client.resources(ModelDeployment.class).inAnyNamespace().list().getItems().isEmpty()
        && client.resources(ModelVersion.class).inAnyNamespace().list().getItems().isEmpty());
  }

  /** Registers version n of the churn model, lets the real reconciler validate it (the test plays the validator). */
  void validatedVersion(int n, String classification) {
    validatedVersion(n, classification, "{}", "{}");
  }

  /**
   * @param metrics the version's evaluation metrics, as YAML flow map
   * @param labels its labels, as YAML flow map (a retrained version carries the operator's)
   */
  void validatedVersion(int n, String classification, String metrics, String labels) {
    String name = "churn-v" + n;
    client.resource(Serialization.unmarshal("""
        apiVersion: mlops.flywheel.dev/v1alpha1
        kind: ModelVersion
        metadata: {name: %s, namespace: %s, labels: %s}
        spec:
          model: churn
          version: %d
          artifact: {uri: "pvc://models/churn/v%d", digest: "sha256:%s"}
          classification: %s
          metrics: %s
        """.formatted(name, NS, labels, n, n, "ab".repeat(32), classification, metrics), ModelVersion.class)).create();
    await().atMost(WAIT).until(() -> client.batch().v1().jobs().inNamespace(NS).withName(name + "-validate").get() != null);
    client.pods().inNamespace(NS).resource(new PodBuilder()
        .withNewMetadata().withName(name + "-validate-p").withNamespace(NS).withLabels(Map.of(Labels.MODEL_VERSION, name)).endMetadata()
        .withNewSpec().addNewContainer().withName("flywheel-model").withImage("flywheel/model").endContainer().endSpec()
        .withNewStatus().addNewContainerStatus().withName("flywheel-model").withNewState().withNewTerminated().withExitCode(0)
          .withMessage("{\"status\":\"Succeeded\",\"digestMatch\":true,\"smokeTestPassed\":true}").withFinishedAt("2026-11-23T10:00:00Z")
        .endTerminated().endState().endContainerStatus().endStatus().build()).create();
    Job job = client.batch().v1().jobs().inNamespace(NS).withName(name + "-validate").get();
    job.setStatus(new JobStatusBuilder().withSucceeded(1).build());
    client.batch().v1().jobs().inNamespace(NS).resource(job).update();
    await().atMost(WAIT).until(() -> Conditions.isTrue(version(name).getStatus().getConditions(), "Validated"));
  }

  /** Asks for Production and waits until it is the effective stage. */
  void promote(int n) {
    String name = "churn-v" + n;
    client.resources(ModelVersion.class).inNamespace(NS).withName(name).edit(mv -> {
      mv.getSpec().setStage(Stage.Production);
      return mv;
    });
    await().atMost(WAIT).until(() -> version(name).getStatus().getStage() == Stage.Production);
  }

  ModelVersion version(String name) {
    return client.resources(ModelVersion.class).inNamespace(NS).withName(name).get();
  }

  ModelDeployment deploy(String yamlSpec) {
    return client.resource(Serialization.unmarshal("""
        apiVersion: mlops.flywheel.dev/v1alpha1
        kind: ModelDeployment
        metadata: {name: churn, namespace: %s}
        spec:
        %s
        """.formatted(NS, yamlSpec.indent(2)), ModelDeployment.class)).create();
  }

  ModelDeployment deployment() {
    return client.resources(ModelDeployment.class).inNamespace(NS).withName("churn").get();
  }

  Deployment child(String name) {
    return client.apps().deployments().inNamespace(NS).withName(name).get();
  }

  /** Waits for the Deployment to run this version with this many replicas. */
  Deployment awaitChild(String name, String version, int replicas) {
    return await().atMost(WAIT).until(() -> child(name), d -> d != null && d.getSpec().getReplicas() == replicas
        && version.equals(d.getSpec().getTemplate().getMetadata().getLabels().get(Labels.MODEL_VERSION)));
  }

  /** Plays the Deployment controller and kubelet: every wanted pod of the current template is updated and ready. */
  void podsReady(String name) {
    Deployment deployment = child(name);
    int replicas = deployment.getSpec().getReplicas();
    deployment.setStatus(new DeploymentStatusBuilder().withObservedGeneration(deployment.getMetadata().getGeneration())
        .withReplicas(replicas).withUpdatedReplicas(replicas).withReadyReplicas(replicas).withAvailableReplicas(replicas).build());
    client.apps().deployments().inNamespace(NS).resource(deployment).updateStatus();
  }

  boolean condition(String type, String status, String reason) {
    ModelDeployment mdep = deployment();
    return mdep != null && mdep.getStatus() != null && Conditions.find(mdep.getStatus().getConditions(), type)
        .map(c -> c.getStatus().name().equals(status) && (reason == null || reason.equals(c.getReason()))).orElse(false);
  }
}
