package dev.flywheel.sandbox.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.TaintBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The local node's kubelet and controllers on small local programs (sh, sleep, a Python HTTP server) against the fabric8
 * mock server in CRUD mode: scheduling, the environment and paths a container sees, restarts, probes, deadlines and
 * PodMonitor targets — the behaviour that LocalNodeModelIT does not reach with the model runtime.
 */
class LocalNodeIT {
  private static final String NS = "work";
  private static final Duration WAIT = Duration.ofSeconds(30);
  /** An HTTP server on the port after --port: 200 on every path but /fail, which answers 500. */
  private static final String SERVER = """
      import sys, http.server
      port = int(sys.argv[sys.argv.index('--port') + 1])
      class Handler(http.server.BaseHTTPRequestHandler):
          def do_GET(self):
              self.send_response(500 if self.path == '/fail' else 200)
              self.end_headers()
              self.wfile.write(b'ok')
          def log_message(self, *args):
              pass
      http.server.HTTPServer(('127.0.0.1', port), Handler).serve_forever()
      """;

  private static MockApi api;
  private static KubernetesClient client;
  private static LocalNode node;
  private static Path workDir;
  private static Path server;

  @BeforeAll
  static void start() throws Exception {
    workDir = Path.of("target/local-node-it").toAbsolutePath();
    if (Files.exists(workDir)) {
      try (var files = Files.walk(workDir)) {
        files.sorted(Comparator.reverseOrder()).forEach(file -> file.toFile().delete());
      }
    }
    server = Files.writeString(Files.createDirectories(workDir).resolve("server.py"), SERVER);
    api = new MockApi();
    client = api.client();
    node = LocalNode.builder(client)
        .namespaces(NS)
        .node(NodeRegistration.node("general-1", Map.of("flywheel.dev/pool", "general"), List.of()))
        .node(NodeRegistration.node("gpu-1", Map.of("flywheel.dev/pool", "gpu"),
            List.of(new TaintBuilder().withKey("gpu").withValue("true").withEffect("NoSchedule").build())))
        .workDir(workDir)
        .backoff(Duration.ofMillis(200))
        .start();
  }

  @AfterAll
  static void stop() throws Exception {
    if (node != null) {
      node.close();
      assertThat(node.runningProcesses()).isZero();
    }
    if (api != null) {
      api.close();
    }
  }

  @Test
  void registersItsNodesReady() {
    var gpu = client.nodes().withName("gpu-1").get();
    assertThat(gpu.getMetadata().getLabels()).containsEntry("flywheel.dev/pool", "gpu");
    assertThat(gpu.getSpec().getTaints()).extracting("key").containsExactly("gpu");
    assertThat(gpu.getStatus().getConditions()).anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
  }

  @Test
  void aPodNoNodeFitsStaysPendingUnschedulable() throws Exception {
    // gpu-1 has the labels but a taint the pod does not tolerate; general-1 lacks the labels.
    create(pod("no-fit", """
        nodeSelector: {flywheel.dev/pool: gpu}
        containers: [{name: main, image: busybox, command: [sleep, "30"]}]
        """));
    Pod pending = await("no-fit", p -> Pods.condition(p, "PodScheduled").isPresent());
    assertThat(pending.getSpec().getNodeName()).isNull();
    assertThat(Pods.phase(pending)).isEqualTo("Pending");
    var scheduled = Pods.condition(pending, "PodScheduled").orElseThrow();
    assertThat(scheduled.getStatus()).isEqualTo("False");
    assertThat(scheduled.getReason()).isEqualTo("Unschedulable");

    create(pod("fits", """
        nodeSelector: {flywheel.dev/pool: gpu}
        tolerations: [{key: gpu, operator: Exists, effect: NoSchedule}]
        containers: [{name: main, image: busybox, command: [sleep, "30"]}]
        """));
    Pod running = await("fits", p -> "Running".equals(Pods.phase(p)) && Pods.ready(p));
    assertThat(running.getSpec().getNodeName()).isEqualTo("gpu-1");
    assertThat(running.getStatus().getPodIP()).isEqualTo("127.0.0.1");
    client.pods().inNamespace(NS).withName("fits").delete();
  }

  @Test
  void aContainerSeesItsEnvironmentAndPathsAndLeavesATerminationMessage() throws Exception {
    client.secrets().inNamespace(NS).resource(Serialization.unmarshal("""
        apiVersion: v1
        kind: Secret
        metadata: {name: creds, namespace: work}
        stringData: {TOKEN: s3cret}
        """, Secret.class)).create();
    create(pod("env", """
        restartPolicy: Never
        containers:
          - name: main
            image: busybox
            command: [sh, -c, 'echo "$POD $NAMESPACE $TOKEN $DJL_OFFLINE" > "$OUT"; echo written > "$TERMINATION"']
            env:
              - {name: POD, valueFrom: {fieldRef: {fieldPath: metadata.name}}}
              - {name: NAMESPACE, valueFrom: {fieldRef: {fieldPath: metadata.namespace}}}
              - {name: OUT, value: /mnt/data/out.txt}
              - {name: TERMINATION, value: /dev/termination-log}
            envFrom: [{secretRef: {name: creds}}]
            volumeMounts: [{name: data, mountPath: /mnt/data}]
        volumes: [{name: data, persistentVolumeClaim: {claimName: shared}}]
        """));
    Pod done = await("env", p -> "Succeeded".equals(Pods.phase(p)));
    assertThat(Files.readString(workDir.resolve("volumes/work/shared/out.txt")).strip()).isEqualTo("env work s3cret true");
    var terminated = done.getStatus().getContainerStatuses().get(0).getState().getTerminated();
    assertThat(terminated.getExitCode()).isZero();
    assertThat(terminated.getReason()).isEqualTo("Completed");
    assertThat(terminated.getMessage()).isEqualTo("written\n");
  }

  @Test
  void aCrashingContainerIsRestartedWithBackOff() throws Exception {
    create(pod("crash", """
        containers: [{name: main, image: busybox, command: [sh, -c, 'exit 3']}]
        """));
    Pod crashing = await("crash", p -> Pods.restarts(p) >= 2);
    var status = crashing.getStatus().getContainerStatuses().get(0);
    assertThat(status.getLastState().getTerminated().getExitCode()).isEqualTo(3);
    assertThat(status.getLastState().getTerminated().getReason()).isEqualTo("Error");
    assertThat(Pods.phase(crashing)).isEqualTo("Running");
    assertThat(Pods.ready(crashing)).isFalse();
    client.pods().inNamespace(NS).withName("crash").delete();
  }

  @Test
  void probesDecideReadinessAndAFailedLivenessProbeRestarts() throws Exception {
    create(pod("probed", """
        containers:
          - name: main
            image: local
            command: [python3, '%s']
            args: [--port, "8080"]
            ports: [{name: http, containerPort: 8080}]
            readinessProbe: {httpGet: {path: /ready, port: http}, periodSeconds: 1}
            livenessProbe: {httpGet: {path: /fail, port: 8080}, initialDelaySeconds: 6, periodSeconds: 1, failureThreshold: 2}
        """.formatted(server)));
    Pod ready = await("probed", Pods::ready);
    int port = PortMap.of(ready).orElseThrow().local(ready, new io.fabric8.kubernetes.api.model.IntOrString("http")).orElseThrow();
    assertThat(port).isNotEqualTo(8080);
    Pod restarted = await("probed", p -> Pods.restarts(p) >= 1);
    assertThat(restarted.getStatus().getContainerStatuses().get(0).getLastState().getTerminated()).isNotNull();
    client.pods().inNamespace(NS).withName("probed").delete();
  }

  @Test
  void aJobPastItsActiveDeadlineFailsAndItsPodStops() throws Exception {
    client.batch().v1().jobs().inNamespace(NS).resource(Serialization.unmarshal("""
        apiVersion: batch/v1
        kind: Job
        metadata: {name: slow, namespace: work}
        spec:
          activeDeadlineSeconds: 2
          template:
            metadata: {labels: {app: slow}}
            spec:
              restartPolicy: Never
              terminationGracePeriodSeconds: 1
              containers: [{name: main, image: busybox, command: [sleep, "60"]}]
        """, Job.class)).create();
    Job failed = Await.until("Job slow failed", WAIT, () -> client.batch().v1().jobs().inNamespace(NS).withName("slow").get(),
        j -> j.getStatus() != null && j.getStatus().getConditions() != null && !j.getStatus().getConditions().isEmpty());
    assertThat(failed.getStatus().getConditions()).singleElement()
        .matches(c -> "Failed".equals(c.getType()) && "DeadlineExceeded".equals(c.getReason()));
    assertThat(failed.getStatus().getActive()).isZero();
    Await.until("the Job's pod gone", WAIT, () -> client.pods().inNamespace(NS).withLabel("job-name", "slow").list().getItems(), List::isEmpty);
  }

  @Test
  void aDeploymentThatNeverBecomesReadyExceedsItsProgressDeadline() throws Exception {
    client.apps().deployments().inNamespace(NS).resource(Serialization.unmarshal("""
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: stuck, namespace: work}
        spec:
          replicas: 1
          progressDeadlineSeconds: 2
          selector: {matchLabels: {app: stuck}}
          template:
            metadata: {labels: {app: stuck}}
            spec:
              terminationGracePeriodSeconds: 1
              containers:
                - name: main
                  image: local
                  command: [python3, '%s']
                  args: [--port, "8080"]
                  ports: [{name: http, containerPort: 8080}]
                  readinessProbe: {httpGet: {path: /fail, port: http}, periodSeconds: 1}
        """.formatted(server), Deployment.class)).create();
    Deployment stuck = Await.until("ProgressDeadlineExceeded", WAIT, () -> client.apps().deployments().inNamespace(NS).withName("stuck").get(),
        d -> d.getStatus() != null && d.getStatus().getConditions() != null && d.getStatus().getConditions().stream()
            .anyMatch(c -> "ProgressDeadlineExceeded".equals(c.getReason())));
    assertThat(stuck.getStatus().getConditions()).anyMatch(c -> "Progressing".equals(c.getType()) && "False".equals(c.getStatus()));
    assertThat(stuck.getStatus().getConditions()).anyMatch(c -> "Available".equals(c.getType()) && "False".equals(c.getStatus()));
    assertThat(stuck.getStatus().getReplicas()).isEqualTo(1);
    assertThat(stuck.getStatus().getReadyReplicas()).isZero();
    assertThat(stuck.getStatus().getUnavailableReplicas()).isEqualTo(1);
    client.apps().deployments().inNamespace(NS).withName("stuck").delete();
  }

  @Test
  void aPodMonitorPutsTheRunningPodsItSelectsIntoTheTargetsFile() throws Exception {
    create(pod("exporter", """
        containers:
          - name: exporter
            image: local
            command: [python3, '%s']
            args: [--port, "9100"]
            ports: [{name: metrics, containerPort: 9100}]
        """.formatted(server), Map.of("app", "exporter")));
    client.genericKubernetesResources(ScrapeTargets.POD_MONITORS).inNamespace(NS).resource(Serialization.unmarshal("""
        apiVersion: monitoring.coreos.com/v1
        kind: PodMonitor
        metadata: {name: exporter, namespace: work}
        spec:
          selector: {matchLabels: {app: exporter}}
          podMetricsEndpoints: [{port: metrics, path: /stats}]
        """, GenericKubernetesResource.class)).create();
    Pod running = await("exporter", p -> "Running".equals(Pods.phase(p)));
    int port = PortMap.of(running).orElseThrow().local(running, new io.fabric8.kubernetes.api.model.IntOrString("metrics")).orElseThrow();
    String expected = "{\"targets\":[\"127.0.0.1:" + port + "\"],\"labels\":{\"__metrics_path__\":\"/stats\",\"container\":\"exporter\","
        + "\"namespace\":\"work\",\"pod\":\"exporter\"}}";
    Await.until("the targets file lists the exporter", WAIT,
        () -> Files.exists(node.scrapeTargetsFile()) ? Files.readString(node.scrapeTargetsFile()) : "", text -> text.contains(expected));
    client.pods().inNamespace(NS).withName("exporter").delete();
    Await.until("the targets file drops it", WAIT, () -> Files.readString(node.scrapeTargetsFile()), text -> !text.contains("exporter"));
  }

  @Test
  void withoutPodsItOnlyRegistersItsNodes() throws Exception {
    try (MockApi other = new MockApi();
        LocalNode idle = LocalNode.builder(other.client()).runPods(false).workDir(workDir.resolve("idle"))
            .node(NodeRegistration.node("bench-1", Map.of("flywheel.dev/pool", "bench"), List.of())).start()) {
      KubernetesClient api = other.client();
      assertThat(api.nodes().withName("bench-1").get().getStatus().getConditions()).anyMatch(c -> "Ready".equals(c.getType()));
      api.apps().deployments().inNamespace(NS).resource(Serialization.unmarshal("""
          apiVersion: apps/v1
          kind: Deployment
          metadata: {name: idle, namespace: work}
          spec:
            replicas: 3
            selector: {matchLabels: {app: idle}}
            template:
              metadata: {labels: {app: idle}}
              spec: {containers: [{name: main, image: busybox, command: [sleep, "30"]}]}
          """, Deployment.class)).create();
      Thread.sleep(2000);
      assertThat(api.pods().inNamespace(NS).list().getItems()).isEmpty();
      assertThat(api.apps().deployments().inNamespace(NS).withName("idle").get().getStatus()).isNull();
      assertThat(idle.runningProcesses()).isZero();
    }
  }

  private static Pod pod(String name, String spec) {
    return pod(name, spec, Map.of());
  }

  private static Pod pod(String name, String spec, Map<String, String> labels) {
    Pod pod = Serialization.unmarshal("apiVersion: v1\nkind: Pod\nmetadata: {name: " + name + ", namespace: " + NS + "}\nspec:\n"
        + spec.indent(2), Pod.class);
    pod.getMetadata().setLabels(labels);
    return pod;
  }

  private static void create(HasMetadata pod) {
    client.resource(pod).inNamespace(NS).create();
  }

  private static Pod await(String name, java.util.function.Predicate<Pod> done) throws Exception {
    return Await.until("pod " + name, WAIT, () -> client.pods().inNamespace(NS).withName(name).get(), done);
  }
}
