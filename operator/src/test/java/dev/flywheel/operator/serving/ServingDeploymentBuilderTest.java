package dev.flywheel.operator.serving;

import static dev.flywheel.operator.serving.ServingFixtures.DIGEST;
import static dev.flywheel.operator.serving.ServingFixtures.mdep;
import static dev.flywheel.operator.serving.ServingFixtures.pvcVersion;
import static dev.flywheel.operator.serving.ServingFixtures.site;
import static dev.flywheel.operator.serving.ServingFixtures.toleration;
import static dev.flywheel.operator.serving.ServingFixtures.version;
import static org.assertj.core.api.Assertions.assertThat;

import dev.flywheel.crds.modeldeployment.ModelDeployment;
import dev.flywheel.operator.common.RestrictedProfile;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.NodeSelectorTerm;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Toleration;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The serving Deployment of one track, built without a cluster. */
class ServingDeploymentBuilderTest {
  static final String FULL = """
      model: churn
      version: churn-v3
      replicas: 3
      resources: {requests: {cpu: 500m, memory: 1Gi}, limits: {memory: 2Gi}}
      placement: {sites: [onprem]}
      server: {image: "my/server:2", maxBatchSize: 64, maxBatchDelay: 5ms, maxConcurrentRequests: 100, requestTimeout: 3s}
      """;

  static Container container(Deployment deployment) {
    return deployment.getSpec().getTemplate().getSpec().getContainers().get(0);
  }

  @Test
  void servesTheVersionFromItsMountedBundleWithTheServerSettings() {
    ModelDeployment mdep = mdep(FULL);
    Deployment deployment = ServingDeploymentBuilder.build(mdep, pvcVersion(), Track.CANARY, 2,
        List.of(site(Map.of("pool", "ml"), toleration("dedicated", "ml"))), "flywheel/model:1", true);

    assertThat(deployment.getApiVersion()).isEqualTo("apps/v1");
    assertThat(deployment.getMetadata().getName()).isEqualTo("churn-canary");
    assertThat(deployment.getMetadata().getNamespace()).isEqualTo("ml");
    assertThat(deployment.getMetadata().getOwnerReferences()).singleElement().satisfies(o -> {
      assertThat(o.getKind()).isEqualTo("ModelDeployment");
      assertThat(o.getName()).isEqualTo("churn");
      assertThat(o.getUid()).isEqualTo("mdep-uid");
      assertThat(o.getController()).isTrue();
      assertThat(o.getBlockOwnerDeletion()).isTrue();
    });
    assertThat(deployment.getMetadata().getLabels()).containsEntry("app.kubernetes.io/name", "flywheel-model-server")
        .containsEntry("app.kubernetes.io/instance", "churn").containsEntry("app.kubernetes.io/component", "serving")
        .containsEntry("mlops.flywheel.dev/deployment", "churn").containsEntry("mlops.flywheel.dev/model", "churn")
        .containsEntry("mlops.flywheel.dev/track", "canary").doesNotContainKey("mlops.flywheel.dev/model-version");
    assertThat(deployment.getSpec().getReplicas()).isEqualTo(2);
    assertThat(deployment.getSpec().getSelector().getMatchLabels()).as("a rolling update changes the version, never the selector")
        .containsExactlyInAnyOrderEntriesOf(Map.of("mlops.flywheel.dev/deployment", "churn", "mlops.flywheel.dev/track", "canary"));
    assertThat(deployment.getSpec().getStrategy().getType()).isEqualTo("RollingUpdate");
    assertThat(deployment.getSpec().getStrategy().getRollingUpdate().getMaxUnavailable().getIntVal()).isZero();
    assertThat(deployment.getSpec().getStrategy().getRollingUpdate().getMaxSurge().getIntVal()).isEqualTo(1);

    var template = deployment.getSpec().getTemplate();
    assertThat(template.getMetadata().getLabels()).containsAllEntriesOf(deployment.getSpec().getSelector().getMatchLabels())
        .containsAllEntriesOf(deployment.getMetadata().getLabels())
        .containsEntry("mlops.flywheel.dev/model-version", "churn-v3").containsEntry("mlops.flywheel.dev/site", "onprem");
    assertThat(template.getMetadata().getAnnotations()).as("a PodMonitor scrapes them, annotation-based configs do not")
        .containsExactly(Map.entry("mlops.flywheel.dev/model-version", "churn-v3"), Map.entry("prometheus.io/scrape", "false"));
    PodSpec pod = template.getSpec();
    assertThat(pod.getNodeSelector()).containsExactlyEntriesOf(Map.of("pool", "ml"));
    assertThat(pod.getTolerations()).extracting(Toleration::getKey).containsExactly("dedicated");
    assertThat(pod.getTerminationGracePeriodSeconds()).isEqualTo(30L);
    assertThat(pod.getAutomountServiceAccountToken()).isFalse();

    Container server = container(deployment);
    assertThat(server.getName()).isEqualTo("flywheel-model");
    assertThat(server.getImage()).isEqualTo("my/server:2");
    assertThat(server.getArgs()).containsExactly("serve", "--bundle", "/mnt/pvc/models/churn/churn-3", "--name", "churn",
        "--model-version", "churn-v3", "--port", "8080", "--host", "0.0.0.0", "--expected-digest", DIGEST,
        "--max-batch-size", "64", "--max-batch-delay", "5ms", "--max-concurrent-requests", "100", "--request-timeout", "3s");
    assertThat(server.getPorts()).singleElement().satisfies(p -> {
      assertThat(p.getName()).isEqualTo("http");
      assertThat(p.getContainerPort()).isEqualTo(8080);
    });
    assertThat(server.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/v2/health/ready");
    assertThat(server.getReadinessProbe().getHttpGet().getPort().getStrVal()).isEqualTo("http");
    assertThat(server.getReadinessProbe().getPeriodSeconds()).isEqualTo(5);
    assertThat(server.getLivenessProbe().getHttpGet().getPath()).isEqualTo("/v2/health/live");
    assertThat(server.getLivenessProbe().getPeriodSeconds()).isEqualTo(10);
    assertThat(server.getLivenessProbe().getFailureThreshold()).isEqualTo(3);
    assertThat(server.getStartupProbe().getHttpGet().getPath()).isEqualTo("/v2/health/live");
    assertThat(server.getStartupProbe().getPeriodSeconds()).isEqualTo(2);
    assertThat(server.getStartupProbe().getFailureThreshold()).isEqualTo(60);
    assertThat(server.getResources().getLimits()).containsKey("memory");
    assertThat(server.getResources().getRequests()).containsKeys("cpu", "memory");
    assertThat(server.getEnvFrom()).as("a pvc:// bundle needs no credentials").isNullOrEmpty();
    assertThat(server.getEnv()).extracting(e -> e.getName() + "=" + e.getValue())
        .contains("HOME=/tmp", "DJL_CACHE_DIR=/tmp/djl", "DJL_OFFLINE=true", "OPT_OUT_TRACKING=true");
    assertThat(pod.getVolumes()).extracting(v -> v.getName() + ":" + (v.getPersistentVolumeClaim() == null ? "emptyDir"
            : v.getPersistentVolumeClaim().getClaimName() + (v.getPersistentVolumeClaim().getReadOnly() ? ":ro" : ":rw")))
        .containsExactly("scratch:emptyDir", "pvc-models:models:ro");
    assertThat(server.getVolumeMounts()).extracting(m -> m.getMountPath() + (Boolean.TRUE.equals(m.getReadOnly()) ? ":ro" : ""))
        .containsExactly("/tmp", "/mnt/pvc/models:ro");
  }

  @Test
  void grpcAddsItsPortAndFlagWhileTheProbesStayOnHttp() {
    Deployment deployment = ServingDeploymentBuilder.build(mdep(FULL.replace("requestTimeout: 3s}", "requestTimeout: 3s, grpc: true}")),
        pvcVersion(), Track.STABLE, 1, List.of(), "flywheel/model:1", true);
    Container server = container(deployment);
    assertThat(server.getArgs()).containsSequence("--grpc-port", "8081");
    assertThat(server.getPorts()).extracting(p -> p.getName() + ":" + p.getContainerPort()).containsExactly("http:8080", "grpc:8081");
    for (var probe : List.of(server.getReadinessProbe(), server.getLivenessProbe(), server.getStartupProbe())) {
      assertThat(probe.getHttpGet().getPort().getStrVal()).isEqualTo("http");
    }

    Container without = container(ServingDeploymentBuilder.build(mdep(FULL.replace("requestTimeout: 3s}", "requestTimeout: 3s, grpc: false}")),
        pvcVersion(), Track.STABLE, 1, List.of(), "flywheel/model:1", true));
    assertThat(without.getArgs()).doesNotContain("--grpc-port");
    assertThat(without.getPorts()).extracting(p -> p.getName()).containsExactly("http");
  }

  @Test
  void everyServingPodMeetsTheRestrictedPodSecurityStandard() {
    for (Track track : Track.values()) {
      Deployment deployment = ServingDeploymentBuilder.build(mdep(FULL), pvcVersion(), track, 1, List.of(), "flywheel/model:1", false);
      assertThat(RestrictedProfile.violations(deployment.getSpec().getTemplate().getSpec())).isEmpty();
      assertThat(container(deployment).getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
    }
  }

  @Test
  void withoutServerSettingsTheCrdDefaultsAndTheOperatorsImageApply() {
    Deployment deployment = ServingDeploymentBuilder.build(mdep("model: churn\nversion: churn-v3\n"), pvcVersion(), Track.STABLE, 1,
        List.of(), "flywheel/model:1", true);
    assertThat(deployment.getMetadata().getName()).isEqualTo("churn-stable");
    assertThat(container(deployment).getImage()).isEqualTo("flywheel/model:1");
    assertThat(container(deployment).getArgs()).containsSequence("--max-batch-size", "32", "--max-batch-delay", "2ms",
        "--max-concurrent-requests", "256", "--request-timeout", "10s");
    assertThat(container(deployment).getResources()).isNull();
    PodSpec pod = deployment.getSpec().getTemplate().getSpec();
    assertThat(pod.getNodeSelector()).isNullOrEmpty();
    assertThat(pod.getAffinity()).isNull();
    assertThat(deployment.getSpec().getTemplate().getMetadata().getLabels()).doesNotContainKey("mlops.flywheel.dev/site");
  }

  @Test
  void s3BundlesAreReadAsTheyAreWithTheArtifactsSecretReferencedNeverCopied() {
    ServedVersion version = ServedVersion.of(version("churn-v4",
        "{uri: \"s3://acme-models/churn/v4\", digest: \"" + DIGEST + "\", format: onnx, secretRef: {name: churn-models-s3}}"));
    Deployment deployment = ServingDeploymentBuilder.build(mdep(FULL), version, Track.STABLE, 3, List.of(), "flywheel/model:1", true);
    Container server = container(deployment);
    assertThat(server.getArgs()).containsSequence("--bundle", "s3://acme-models/churn/v4").containsSequence("--model-version", "churn-v4");
    assertThat(server.getEnvFrom()).singleElement().satisfies(e -> assertThat(e.getSecretRef().getName()).isEqualTo("churn-models-s3"));
    assertThat(deployment.getSpec().getTemplate().getSpec().getVolumes()).extracting(v -> v.getName()).containsExactly("scratch");
    assertThat(Serialization.asYaml(deployment)).doesNotContain("AWS_SECRET");
  }

  @Test
  void withoutAPodMonitorThePodsAskToBeScrapedByAnnotation() {
    Deployment deployment = ServingDeploymentBuilder.build(mdep(FULL), pvcVersion(), Track.STABLE, 3, List.of(), "flywheel/model:1", false);
    assertThat(deployment.getSpec().getTemplate().getMetadata().getAnnotations()).containsExactlyInAnyOrderEntriesOf(Map.of(
        "prometheus.io/scrape", "true", "prometheus.io/port", "8080", "prometheus.io/path", "/metrics",
        "mlops.flywheel.dev/model-version", pvcVersion().name()));
  }

  @Test
  void severalSitesAreEachAllowedByNodeAffinityWithTheirTolerationsCombined() {
    ModelDeployment mdep = mdep(FULL.replace("[onprem]", "[onprem, cloud]"));
    Deployment deployment = ServingDeploymentBuilder.build(mdep, pvcVersion(), Track.STABLE, 4,
        List.of(site(Map.of("pool", "ml"), toleration("dedicated", "ml")), site(Map.of("pool", "burst"), toleration("spot", "true"))),
        "flywheel/model:1", true);
    PodSpec pod = deployment.getSpec().getTemplate().getSpec();
    assertThat(pod.getNodeSelector()).isNullOrEmpty();
    assertThat(pod.getAffinity().getNodeAffinity().getRequiredDuringSchedulingIgnoredDuringExecution().getNodeSelectorTerms())
        .extracting(NodeSelectorTerm::getMatchExpressions)
        .extracting(e -> e.get(0).getKey() + " " + e.get(0).getOperator() + " " + e.get(0).getValues())
        .containsExactly("pool In [ml]", "pool In [burst]");
    assertThat(pod.getTolerations()).extracting(Toleration::getKey).containsExactly("dedicated", "spot");
    assertThat(deployment.getSpec().getTemplate().getMetadata().getLabels()).as("no single site").doesNotContainKey("mlops.flywheel.dev/site");
  }

  @Test
  void aVersionNameLongerThanALabelValueIsShortenedInTheLabelOnly() {
    String name = "churn-" + "x".repeat(60) + "-v3";
    ServedVersion version = ServedVersion.of(version(name, "{uri: \"pvc://models/churn/3\", digest: \"" + DIGEST + "\"}"));
    Deployment deployment = ServingDeploymentBuilder.build(mdep(FULL), version, Track.STABLE, 1, List.of(), "flywheel/model:1", true);
    assertThat(deployment.getSpec().getTemplate().getMetadata().getLabels().get("mlops.flywheel.dev/model-version"))
        .hasSizeLessThanOrEqualTo(63).startsWith("churn-x");
    assertThat(container(deployment).getArgs()).containsSequence("--model-version", name);
  }

  @Test
  void captureWritesLabelledTrafficToTheClaimMountedReadWrite() {
    Deployment deployment = ServingDeploymentBuilder.build(mdep(FULL + "monitoring: {capture: {uri: \"pvc://captures/churn/\", sampleRate: 0.25, maxShardAge: 30s}}\n"),
        pvcVersion(), Track.STABLE, 1, List.of(), "flywheel/model:1", true);
    assertThat(container(deployment).getArgs()).containsSubsequence("--capture-uri", "/mnt/pvc/captures/churn/")
        .containsSubsequence("--capture-sample-rate", "0.25").containsSubsequence("--capture-max-pending", "10000")
        .containsSubsequence("--capture-max-shard-age", "30s");
    assertThat(container(deployment).getVolumeMounts()).anySatisfy(m -> {
      assertThat(m.getMountPath()).isEqualTo("/mnt/pvc/captures");
      assertThat(m.getReadOnly()).isFalse();
    });
    assertThat(RestrictedProfile.violations(deployment.getSpec().getTemplate().getSpec())).isEmpty();
  }
}
