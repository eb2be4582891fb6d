package dev.flywheel.sandbox.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.TaintBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The local node's rules that need no API and no process: scheduling, paths, ports, $(VAR), rollout arithmetic. */
class LocalNodeRulesTest {
  private static final Node ONPREM = NodeRegistration.node("onprem-1", Map.of("pool", "onprem", "zone", "3"),
      List.of(new TaintBuilder().withKey("dedicated").withValue("onprem").withEffect("NoSchedule").build()));
  private static final Node CLOUD = NodeRegistration.node("cloud-1", Map.of("pool", "cloud"),
      List.of(new TaintBuilder().withKey("spot").withEffect("PreferNoSchedule").build()));

  @Test
  void schedulingFollowsSelectorsAffinityAndTaints() {
    Pod plain = pod("containers: [{name: c, image: i}]");
    assertThat(Scheduling.fits(plain, ONPREM)).as("an untolerated NoSchedule taint").isFalse();
    assertThat(Scheduling.fits(plain, CLOUD)).as("PreferNoSchedule does not keep pods away").isTrue();

    Pod onprem = pod("""
        nodeSelector: {pool: onprem}
        tolerations: [{key: dedicated, operator: Equal, value: onprem, effect: NoSchedule}]
        containers: [{name: c, image: i}]
        """);
    assertThat(Scheduling.pick(onprem, List.of(CLOUD, ONPREM), Map.of())).map(n -> n.getMetadata().getName()).hasValue("onprem-1");

    Pod wrongValue = pod("""
        tolerations: [{key: dedicated, operator: Equal, value: cloud}]
        containers: [{name: c, image: i}]
        """);
    assertThat(Scheduling.fits(wrongValue, ONPREM)).isFalse();

    Pod affinity = pod("""
        tolerations: [{operator: Exists}]
        affinity:
          nodeAffinity:
            requiredDuringSchedulingIgnoredDuringExecution:
              nodeSelectorTerms:
                - matchExpressions: [{key: pool, operator: In, values: [gpu]}]
                - matchExpressions: [{key: zone, operator: Gt, values: ["2"]}, {key: pool, operator: NotIn, values: [cloud]}]
        containers: [{name: c, image: i}]
        """);
    assertThat(Scheduling.fits(affinity, ONPREM)).as("the second term matches").isTrue();
    assertThat(Scheduling.fits(affinity, CLOUD)).isFalse();
    assertThat(Scheduling.pick(affinity, List.of(CLOUD), Map.of())).isEmpty();
  }

  @Test
  void theFewestPodsWinAmongFittingNodes() {
    Node other = NodeRegistration.node("cloud-2", Map.of("pool", "cloud"), List.of());
    Pod pod = pod("nodeSelector: {pool: cloud}\ncontainers: [{name: c, image: i}]");
    assertThat(Scheduling.pick(pod, List.of(CLOUD, other), Map.of("cloud-1", 2, "cloud-2", 1))).map(n -> n.getMetadata().getName())
        .hasValue("cloud-2");
  }

  @Test
  void containerPathsMapToLocalFolders(@TempDir Path work) {
    Pod pod = pod("""
        containers:
          - name: c
            image: i
            terminationMessagePath: /dev/termination-log
            volumeMounts:
              - {name: scratch, mountPath: /tmp}
              - {name: models, mountPath: /mnt/pvc/models}
              - {name: models, mountPath: /mnt/pvc/models/churn/sub, subPath: elsewhere}
        volumes:
          - {name: scratch, emptyDir: {}}
          - {name: models, persistentVolumeClaim: {claimName: models}}
        """);
    pod.getMetadata().setName("p1");
    LocalPaths paths = LocalPaths.of(work, pod, pod.getSpec().getContainers().get(0));
    Path claim = work.resolve("volumes/ns/models");
    assertThat(paths.rewrite("/mnt/pvc/models/churn/v1")).isEqualTo(claim + "/churn/v1");
    assertThat(paths.rewrite("/mnt/pvc/models/churn/sub/x")).as("the longest mount wins").isEqualTo(claim + "/elsewhere/x");
    assertThat(paths.rewrite("/mnt/pvc/models/data/")).as("a directory keeps its slash").isEqualTo(claim + "/data/");
    assertThat(paths.rewrite("file:///mnt/pvc/models/a.csv")).isEqualTo(claim.resolve("a.csv").toUri().toString());
    assertThat(paths.rewrite("--out=/tmp/x")).isEqualTo("--out=" + work.resolve("pods/ns/p1/volumes/scratch/x"));
    assertThat(paths.rewrite("/dev/termination-log")).isEqualTo(work.resolve("pods/ns/p1/c.termination-log").toString());
    assertThat(paths.rewrite("/mnt/pvc/modelsx")).as("not below a mount").isEqualTo("/mnt/pvc/modelsx");
    assertThat(paths.rewrite("s3://bucket/tmp/x")).isEqualTo("s3://bucket/tmp/x");
    assertThat(claim).isDirectory();
  }

  @Test
  void declaredPortsAfterPortFlagsAreRemapped() {
    Pod pod = pod("""
        containers:
          - name: c
            image: i
            ports: [{name: http, containerPort: 8080}, {containerPort: 9000}]
        """);
    PortMap ports = PortMap.allocate(pod);
    var container = pod.getSpec().getContainers().get(0);
    int http = ports.local(pod, new IntOrString("http")).orElseThrow();
    int grpc = ports.local(pod, new IntOrString(9000)).orElseThrow();
    assertThat(ports.rewriteArgs(container, List.of("serve", "--port", "8080", "--grpc-port=9000", "--workers", "8080", "--admin-port", "7000")))
        .containsExactly("serve", "--port", String.valueOf(http), "--grpc-port=" + grpc, "--workers", "8080", "--admin-port", "7000");
    Pod annotated = pod("containers: [{name: c, image: i}]");
    annotated.getMetadata().setAnnotations(Map.of(PortMap.ANNOTATION, ports.annotation()));
    assertThat(PortMap.of(annotated).orElseThrow().local(pod, new IntOrString("http"))).hasValue(http);
    assertThat(ports.local(pod, new IntOrString(1234))).as("a port no container declares").isEmpty();
  }

  @Test
  void variableReferencesExpandAsTheKubeletDoes() {
    Map<String, String> env = Map.of("A", "1", "B", "two");
    assertThat(ContainerCommand.expand("$(A)-$(B)/$(C)", env)).isEqualTo("1-two/$(C)");
    assertThat(ContainerCommand.expand("$$(A)", env)).isEqualTo("$(A)");
  }

  @Test
  void rollingUpdateBoundsRoundAsKubernetesDoes() {
    assertThat(DeploymentController.resolve(null, 10, true, "25%")).isEqualTo(3);
    assertThat(DeploymentController.resolve(null, 10, false, "25%")).isEqualTo(2);
    assertThat(DeploymentController.resolve(new IntOrString(1), 10, true, "25%")).isEqualTo(1);
    assertThat(DeploymentController.resolve(new IntOrString("50%"), 3, false, "25%")).isEqualTo(1);
  }

  @Test
  void theTemplateHashIgnoresMapOrderButNotContent() {
    Deployment a = deployment("{a: '1', b: '2'}", "img:1");
    Deployment b = deployment("{b: '2', a: '1'}", "img:1");
    Deployment c = deployment("{a: '1', b: '2'}", "img:2");
    assertThat(DeploymentController.templateHash(a)).isEqualTo(DeploymentController.templateHash(b))
        .isNotEqualTo(DeploymentController.templateHash(c));
  }

  private static Deployment deployment(String labels, String image) {
    return Serialization.unmarshal("""
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: d}
        spec:
          template:
            metadata: {labels: %s}
            spec: {containers: [{name: c, image: '%s'}]}
        """.formatted(labels, image), Deployment.class);
  }

  private static Pod pod(String spec) {
    return Serialization.unmarshal("apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: ns}\nspec:\n" + spec.indent(2), Pod.class);
  }
}
