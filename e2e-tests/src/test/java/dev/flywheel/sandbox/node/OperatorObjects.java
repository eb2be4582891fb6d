package dev.flywheel.sandbox.node;

import dev.flywheel.crds.modeldeployment.ModelDeployment;
import dev.flywheel.crds.site.SiteSpec;
import dev.flywheel.crds.trainingjob.TrainingJob;
import dev.flywheel.operator.serving.ServedVersion;
import dev.flywheel.operator.serving.ServingDeploymentBuilder;
import dev.flywheel.operator.serving.ServingServiceBuilder;
import dev.flywheel.operator.serving.Track;
import dev.flywheel.operator.trainingjob.TrainerJobBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.List;
import java.util.UUID;

/**
 * The Jobs, Deployments and Services the operator creates, built by the operator's own builders for these tests — less
 * their owner references: the owning TrainingJob or ModelDeployment is not created here, and an API that collects
 * garbage (the sandbox's) would delete a child whose owner does not exist.
 */
final class OperatorObjects {
  static final String IMAGE = "ghcr.io/flywheel-dev/flywheel-model:0.1.0";

  private OperatorObjects() {}

  /** A Site whose pods go to nodes labelled {@code flywheel.dev/pool=<pool>} and tolerate the taint {@code dedicated=<pool>}. */
  static SiteSpec site(String pool) {
    return Serialization.unmarshal("""
        type: nodePool
        nodeSelector: {flywheel.dev/pool: %s}
        tolerations: [{key: dedicated, operator: Equal, value: %s, effect: NoSchedule}]
        allowedClassifications: [public, internal, restricted]
        """.formatted(pool, pool), SiteSpec.class);
  }

  /** The trainer Job of a TrainingJob reading pvc://data/churn.csv with this label column, writing to pvc://models. */
  static Job trainerJob(String namespace, String name, String label, int backoffLimit, SiteSpec site) {
    TrainingJob trainingJob = Serialization.unmarshal("""
        apiVersion: mlops.flywheel.dev/v1alpha1
        kind: TrainingJob
        metadata: {name: %s, namespace: %s, uid: %s}
        spec:
          model: churn
          task: binaryClassification
          dataset: {uri: pvc://data/churn.csv, format: csv, label: %s, classification: restricted}
          algorithm: {type: mlp, hiddenLayers: [8], epochs: 3}
          seed: 42
          output: {uri: pvc://models/churn}
          backoffLimit: %d
        """.formatted(name, namespace, UUID.randomUUID(), label, backoffLimit), TrainingJob.class);
    return withoutOwner(TrainerJobBuilder.build(trainingJob, "onprem", site, IMAGE, true));
  }

  static ModelDeployment modelDeployment(String namespace, String name) {
    return Serialization.unmarshal("""
        apiVersion: mlops.flywheel.dev/v1alpha1
        kind: ModelDeployment
        metadata: {name: %s, namespace: %s, uid: %s}
        spec:
          model: churn
          replicas: 2
        """.formatted(name, namespace, UUID.randomUUID()), ModelDeployment.class);
  }

  /** The stable Deployment serving {@code version} (a bundle under pvc://models), scraped by annotations. */
  static Deployment servingDeployment(ModelDeployment mdep, String version, String bundleUri, String digest, int replicas, SiteSpec site) {
    ServedVersion served = new ServedVersion(version, "churn", bundleUri, digest, "flywheel-mlp", null);
    return withoutOwner(ServingDeploymentBuilder.build(mdep, served, Track.STABLE, replicas, List.of(site), IMAGE, false));
  }

  static Service service(ModelDeployment mdep) {
    return withoutOwner(ServingServiceBuilder.all(mdep));
  }

  private static <T extends HasMetadata> T withoutOwner(T object) {
    object.getMetadata().setOwnerReferences(null);
    return object;
  }
}
