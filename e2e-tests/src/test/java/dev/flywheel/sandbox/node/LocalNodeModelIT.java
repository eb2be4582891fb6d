package dev.flywheel.sandbox.node;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.flywheel.crds.modeldeployment.ModelDeployment;
import dev.flywheel.crds.site.SiteSpec;
import dev.flywheel.sandbox.story.ChurnData;
import dev.flywheel.operator.common.RuntimeJob;
import dev.flywheel.sandbox.prometheus.LocalPrometheus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.TaintBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The local node running what the operator creates (its own builders make the objects) with the real model runtime,
 * against the fabric8 mock server in CRUD mode: a trainer Job on a tainted node pool, a failing one, and a serving
 * Deployment with its Service, rolled, scaled and deleted.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class LocalNodeModelIT {
  private static final String NS = "ml";
  private static final Duration SLOW = Duration.ofMinutes(3);
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  private static MockApi api;
  private static KubernetesClient client;
  private static LocalNode node;
  private static Path workDir;
  private static LocalPrometheus prometheus;
  private static SiteSpec onprem;
  private static String digest;
  private static String bundleUri;

  @BeforeAll
  static void start() throws Exception {
    workDir = Path.of("target/local-node-model-it").toAbsolutePath();
    if (Files.exists(workDir)) {
      try (var files = Files.walk(workDir)) {
        files.sorted(java.util.Comparator.reverseOrder()).forEach(file -> file.toFile().delete());
      }
    }
    Files.createDirectories(workDir);
    api = new MockApi();
    client = api.client();
    onprem = OperatorObjects.site("onprem");
    node = LocalNode.builder(client)
        .namespaces(NS)
        .node(NodeRegistration.node("cloud-1", Map.of("flywheel.dev/pool", "cloud"), List.of()))
        .node(NodeRegistration.node("onprem-1", Map.of("flywheel.dev/pool", "onprem"),
            List.of(new TaintBuilder().withKey("dedicated").withValue("onprem").withEffect("NoSchedule").build())))
        .workDir(workDir)
        .backoff(Duration.ofMillis(500))
        .start();
    if (LocalPrometheus.installed()) {
      prometheus = LocalPrometheus.builder(workDir.resolve("prometheus-server")).fileSd(node.scrapeTargetsFile())
          .scrapeInterval(Duration.ofSeconds(1)).start();
      prometheus.awaitReady(Duration.ofSeconds(30), null);
    }
    Path data = Files.createDirectories(workDir.resolve("volumes").resolve(NS).resolve("data"));
    ChurnData.writeCsv(data.resolve("churn.csv"), 400, 7);
  }

  @AfterAll
  static void stop() throws Exception {
    if (prometheus != null) {
      prometheus.close();
    }
    if (node != null) {
      node.close();
    }
    if (api != null) {
      api.close();
    }
  }

  @Test
  @Order(1)
  void trainerJobCompletesOnItsNodePoolWithTheResultAsTerminationMessage() throws Exception {
    Job job = OperatorObjects.trainerJob(NS, "train-ok", "churned", 2, onprem);
    String name = job.getMetadata().getName();
    client.batch().v1().jobs().inNamespace(NS).resource(job).create();

    Job done = Await.until("Job " + name + " complete", SLOW, () -> client.batch().v1().jobs().inNamespace(NS).withName(name).get(),
        j -> condition(j, "Complete") || condition(j, "Failed"));
    List<Pod> pods = client.pods().inNamespace(NS).withLabel("job-name", name).list().getItems();
    assertThat(condition(done, "Complete")).as(logs(pods)).isTrue();
    assertThat(done.getStatus().getSucceeded()).isEqualTo(1);
    assertThat(done.getStatus().getStartTime()).isNotNull();
    assertThat(done.getStatus().getCompletionTime()).isNotNull();
    assertThat(pods).hasSize(1);
    Pod pod = pods.get(0);
    assertThat(pod.getSpec().getNodeName()).isEqualTo("onprem-1");
    assertThat(pod.getMetadata().getOwnerReferences().get(0).getUid()).isEqualTo(done.getMetadata().getUid());
    assertThat(pod.getStatus().getPhase()).isEqualTo("Succeeded");
    assertThat(pod.getStatus().getContainerStatuses().get(0).getState().getTerminated().getReason()).isEqualTo("Completed");

    // What the operator reads: the termination message of the pods found by the template's labels.
    String message = RuntimeJob.terminationMessage(client.pods().inNamespace(NS)
        .withLabels(job.getSpec().getTemplate().getMetadata().getLabels()).list().getItems()).orElseThrow();
    JsonNode result = RuntimeJob.result(message).orElseThrow();
    assertThat(result.path("status").asText()).isEqualTo("Succeeded");
    digest = result.path("bundleDigest").asText();
    assertThat(digest).startsWith("sha256:");
    bundleUri = "pvc://models/churn/churn/train-ok";
    assertThat(workDir.resolve("volumes/ml/models/churn/churn/train-ok/flywheel-model.json")).exists();
  }

  @Test
  @Order(2)
  void aJobWhoseTrainerFailsEndsFailedAfterItsBackoffLimit() throws Exception {
    Job job = OperatorObjects.trainerJob(NS, "train-bad", "no_such_column", 1, onprem);
    String name = job.getMetadata().getName();
    client.batch().v1().jobs().inNamespace(NS).resource(job).create();

    Job failed = Await.until("Job " + name + " finished", SLOW, () -> client.batch().v1().jobs().inNamespace(NS).withName(name).get(),
        j -> condition(j, "Complete") || condition(j, "Failed"));
    assertThat(condition(failed, "Failed")).isTrue();
    assertThat(failed.getStatus().getConditions()).anyMatch(c -> "BackoffLimitExceeded".equals(c.getReason()));
    assertThat(failed.getStatus().getFailed()).isEqualTo(2);
    assertThat(failed.getStatus().getActive()).isZero();
    List<Pod> pods = client.pods().inNamespace(NS).withLabel("job-name", name).list().getItems();
    assertThat(pods).hasSize(2).allMatch(p -> "Failed".equals(p.getStatus().getPhase()));
    var terminated = pods.get(0).getStatus().getContainerStatuses().get(0).getState().getTerminated();
    assertThat(terminated).as(Serialization.asYaml(pods.get(0).getStatus())).isNotNull();
    assertThat(terminated.getReason()).isEqualTo("Error");
    assertThat(terminated.getExitCode()).isEqualTo(1);
    assertThat(terminated.getMessage()).contains("no_such_column");
  }

  @Test
  @Order(3)
  void aServingDeploymentGetsReadyReplicasBehindItsServiceRollsScalesAndStops() throws Exception {
    assertThat(digest).as("the trainer Job ran first").isNotNull();
    ModelDeployment mdep = OperatorObjects.modelDeployment(NS, "churn");
    Deployment deployment = OperatorObjects.servingDeployment(mdep, "churn-v1", bundleUri, digest, 2, onprem);
    String name = deployment.getMetadata().getName();
    client.apps().deployments().inNamespace(NS).resource(deployment).create();
    client.services().inNamespace(NS).resource(OperatorObjects.service(mdep)).create();

    Deployment ready = awaitRolledOut(name, 2);
    assertThat(ready.getStatus().getAvailableReplicas()).isEqualTo(2);
    assertThat(ready.getStatus().getConditions()).anyMatch(c -> "Available".equals(c.getType()) && "True".equals(c.getStatus()));
    assertThat(ready.getStatus().getConditions()).anyMatch(c -> "Progressing".equals(c.getType()) && "NewReplicaSetAvailable".equals(c.getReason()));

    // The Service: a local port spreading connections over both ready pods.
    int port = Await.until("the Service's proxy has 2 endpoints", Duration.ofSeconds(20),
        () -> node.serviceEndpoints(NS, "churn", 8080).size() == 2 ? node.servicePort(NS, "churn", 8080).orElse(null) : null, p -> p != null);
    assertThat(get(port, "/v2/health/ready").statusCode()).isEqualTo(200);
    Random random = new Random(3);
    for (int i = 0; i < 20; i++) {
      HttpResponse<String> answer = post(port, "/v2/models/churn/infer", ChurnData.validRequest(random));
      assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
    }
    List<Pod> pods = servingPods();
    assertThat(pods).hasSize(2);
    for (Pod pod : pods) {
      assertThat(inferences(pod)).as("requests served by " + pod.getMetadata().getName()).isGreaterThanOrEqualTo(5);
    }

    // Prometheus' file_sd lists both pods at their local ports.
    Set<String> expected = new HashSet<>();
    for (Pod pod : pods) {
      expected.add(pod.getMetadata().getName() + "@127.0.0.1:" + localPort(pod));
    }
    Await.until("file_sd lists both pods", Duration.ofSeconds(10), () -> targets(), t -> t.equals(expected));
    if (prometheus != null) {
      // The real Prometheus reads the file and scrapes both pods with their labels.
      Set<String> scraped = new HashSet<>();
      pods.forEach(pod -> scraped.add(pod.getMetadata().getName()));
      Await.until("Prometheus scrapes both pods", Duration.ofSeconds(30), () -> upPods(), up -> up.equals(scraped));
    }

    // A template change rolls the pods, never below 2 ready (maxUnavailable 0).
    Deployment v2 = OperatorObjects.servingDeployment(mdep, "churn-v2", bundleUri, digest, 2, onprem);
    client.apps().deployments().inNamespace(NS).withName(name).edit(d -> {
      d.getSpec().setTemplate(v2.getSpec().getTemplate());
      return d;
    });
    String newHash = DeploymentController.templateHash(v2);
    Deployment rolled = Await.until("rolled to churn-v2", SLOW, () -> {
          Deployment d = client.apps().deployments().inNamespace(NS).withName(name).get();
          assertThat(d.getStatus().getAvailableReplicas()).as("available during the rollout").isGreaterThanOrEqualTo(2);
          return d;
        }, d -> servingPods().stream().allMatch(p -> newHash.equals(p.getMetadata().getLabels().get("pod-template-hash")))
            && d.getStatus().getUpdatedReplicas() == 2 && d.getStatus().getReplicas() == 2 && d.getStatus().getReadyReplicas() == 2);
    assertThat(servingPods()).hasSize(2).noneMatch(p -> pods.stream().anyMatch(old -> old.getMetadata().getName().equals(p.getMetadata().getName())));
    assertThat(rolled.getStatus().getObservedGeneration()).isEqualTo(rolled.getMetadata().getGeneration());

    // Scaling to 1 removes a pod.
    client.apps().deployments().inNamespace(NS).withName(name).scale(1);
    Await.until("scaled to 1", SLOW, () -> client.apps().deployments().inNamespace(NS).withName(name).get(),
        d -> d.getStatus().getReplicas() == 1 && servingPods().size() == 1);
    Await.until("1 endpoint", Duration.ofSeconds(20), () -> node.serviceEndpoints(NS, "churn", 8080).size(), n -> n == 1);
    // The removed pod drains (readiness 503 during its grace) while connections already routed to it finish, as in a
    // cluster; the Service answers ready from the pod that stays.
    Await.until("the Service answers ready", Duration.ofSeconds(15), () -> get(port, "/v2/health/ready").statusCode(), code -> code == 200);

    // Deleting the Deployment stops its processes.
    client.apps().deployments().inNamespace(NS).withName(name).delete();
    Await.until("no process left", Duration.ofSeconds(60), () -> node.runningProcesses(), n -> n == 0);
    Await.until("no serving pod left", Duration.ofSeconds(20), () -> servingPods().size(), n -> n == 0);
    Await.until("file_sd empty", Duration.ofSeconds(10), () -> targets(), Set::isEmpty);
  }

  private static Deployment awaitRolledOut(String name, int replicas) throws Exception {
    return Await.until("Deployment " + name + " ready", SLOW, () -> client.apps().deployments().inNamespace(NS).withName(name).get(),
        d -> d.getStatus() != null && d.getStatus().getReadyReplicas() != null && d.getStatus().getReadyReplicas() == replicas
            && d.getStatus().getUpdatedReplicas() == replicas && d.getStatus().getReplicas() == replicas);
  }

  private static List<Pod> servingPods() {
    return client.pods().inNamespace(NS).withLabel("mlops.flywheel.dev/deployment", "churn").list().getItems();
  }

  private static int localPort(Pod pod) {
    return PortMap.of(pod).orElseThrow().local(pod, new io.fabric8.kubernetes.api.model.IntOrString("http")).orElseThrow();
  }

  /** The inference requests a pod counted in its /metrics. */
  private static double inferences(Pod pod) throws Exception {
    String metrics = get(localPort(pod), "/metrics").body();
    Matcher matcher = Pattern.compile("(?m)^flywheel_requests_total\\{[^}]*\\} ([0-9.eE+]+)$").matcher(metrics);
    double total = 0;
    while (matcher.find()) {
      total += Double.parseDouble(matcher.group(1));
    }
    return total;
  }

  /** The pods whose scrape by the file_sd job succeeded (up == 1), with namespace ml and container flywheel-model. */
  private static Set<String> upPods() throws Exception {
    String query = java.net.URLEncoder.encode("up{job=\"flywheel-pods\",namespace=\"ml\",container=\"flywheel-model\"} == 1",
        java.nio.charset.StandardCharsets.UTF_8);
    HttpResponse<String> answer = HTTP.send(HttpRequest.newBuilder(URI.create(prometheus.baseUrl() + "/api/v1/query?query=" + query))
        .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
    Set<String> pods = new HashSet<>();
    for (JsonNode series : Serialization.jsonMapper().readTree(answer.body()).path("data").path("result")) {
      pods.add(series.path("metric").path("pod").asText());
    }
    return pods;
  }

  /** pod@target of every file_sd entry. */
  private static Set<String> targets() throws Exception {
    Path file = node.scrapeTargetsFile();
    Set<String> targets = new HashSet<>();
    if (!Files.exists(file)) {
      return targets;
    }
    for (JsonNode group : Serialization.jsonMapper().readTree(Files.readString(file))) {
      assertThat(group.path("labels").path("namespace").asText()).isEqualTo(NS);
      assertThat(group.path("labels").path("container").asText()).isEqualTo("flywheel-model");
      assertThat(group.path("labels").path("__metrics_path__").asText()).isEqualTo("/metrics");
      targets.add(group.path("labels").path("pod").asText() + "@" + group.path("targets").get(0).asText());
    }
    return targets;
  }

  private static HttpResponse<String> get(int port, String path) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(10)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /** A POST on a connection of its own (a new client each time), so the Service proxy sees one connection per request. */
  private static HttpResponse<String> post(int port, String path, String body) throws Exception {
    return HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(10))
        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
  }

  private static boolean condition(Job job, String type) {
    return job != null && job.getStatus() != null && job.getStatus().getConditions() != null
        && job.getStatus().getConditions().stream().anyMatch(c -> type.equals(c.getType()) && "True".equals(c.getStatus()));
  }

  private static String logs(List<Pod> pods) {
    StringBuilder text = new StringBuilder();
    for (Pod pod : pods) {
      Path log = node.containerLog(NS, pod.getMetadata().getName(), "flywheel-model");
      try {
        text.append(pod.getMetadata().getName()).append(":\n").append(Files.exists(log) ? Files.readString(log) : "(no log)").append('\n');
      } catch (Exception e) {
        text.append("(cannot read ").append(log).append(")\n");
      }
    }
    return text.toString();
  }
}
