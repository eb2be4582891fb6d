package dev.flywheel.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.flywheel.crds.modeldeployment.AnalysisMeasurement;
import dev.flywheel.crds.modeldeployment.AnalysisQuery;
import dev.flywheel.crds.validation.RepoPaths;
import dev.flywheel.operator.metrics.AnalysisJudge;
import dev.flywheel.operator.metrics.AnalysisPhase;
import dev.flywheel.operator.metrics.AnalysisVerdict;
import dev.flywheel.operator.metrics.PrometheusClient;
import dev.flywheel.operator.metrics.PrometheusEndpoint;
import dev.flywheel.operator.metrics.QueryResult.Outcome;
import dev.flywheel.operator.metrics.QueryResult;
import dev.flywheel.operator.metrics.QueryTemplate;
import dev.flywheel.sandbox.Ports;
import dev.flywheel.sandbox.Processes;
import dev.flywheel.sandbox.story.ChurnData;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Canary analysis on real parts: one model trained by flywheel-model, served twice (churn-v1 healthy, churn-v2 mostly
 * refusing malformed requests), scraped every second by a real Prometheus behind basic auth, and judged with the
 * example ModelDeployment's error-rate query through QueryTemplate, PrometheusClient and AnalysisJudge.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PrometheusAnalysisIT {
  private static final String USER = "flywheel";
  private static final String PASSWORD = "flywheel-it-password";
  /**
   * bcrypt (cost 10) of PASSWORD, made offline with the system's crypt(3) (libxcrypt):
   * {@code python3 -c "import crypt; print(crypt.crypt('flywheel-it-password', crypt.mksalt(crypt.METHOD_BLOWFISH, rounds=1024)))"}.
   */
  private static final String PASSWORD_BCRYPT = "$2b$10$pZzy0/KkhJYTngH9IHVJ1u4cVcDGCvx.kDezE3QJiq87XPVrI25Yy";
  private static final String GATEWAY_TOKEN = "flywheel-it-bearer-token";
  private static final String TENANT = "team-churn";
  private static final int V1_REQUESTS = 40;
  private static final int V2_VALID = 8;
  private static final int V2_MALFORMED = 32;
  private static final Instant MEASURED_AT = Instant.parse("2025-06-01T12:00:00Z");
  private static final Duration SCRAPED_WITHIN = Duration.ofSeconds(20);

  private static final List<Process> started = new ArrayList<>();
  private static final PrometheusClient client = new PrometheusClient(Duration.ofSeconds(1), Duration.ofSeconds(5));
  private static LocalPrometheus prometheus;
  private static AuthGateway gateway;
  private static PrometheusEndpoint endpoint;
  private static Map<String, AnalysisQuery> analysis;

  @BeforeAll
  static void serveTwoVersionsScrapeThemAndSendTraffic() throws Exception {
    assumeTrue(LocalPrometheus.installed(), "PrometheusAnalysisIT needs the Prometheus server at " + LocalPrometheus.BINARY
        + " (Debian package prometheus: apt-get install -y --no-install-recommends prometheus; .ci/run installs it)");
    Path work = RepoPaths.root().resolve("e2e-tests/target/prometheus-analysis-it");
    deleteRecursively(work);
    Files.createDirectories(work);
    analysis = exampleAnalysis();

    int v1Port = Ports.free();
    int v2Port = Ports.free();
    prometheus = LocalPrometheus.start(work.resolve("prometheus"), List.of("127.0.0.1:" + v1Port, "127.0.0.1:" + v2Port), Map.of(USER, PASSWORD_BCRYPT));
    started.add(prometheus.process());
    endpoint = PrometheusEndpoint.from(prometheus.baseUrl(), Map.of(), Map.of("username", USER, "password", PASSWORD));

    FlywheelModelLauncher launcher = new FlywheelModelLauncher(work);
    Path bundle = work.resolve("churn-bundle");
    String digest = launcher.train(ChurnData.writeCsv(work.resolve("churn.csv"), 400, 7), bundle);
    FlywheelModelLauncher.Served v1 = launcher.serve(bundle, digest, "churn-v1", v1Port);
    started.add(v1.process());
    FlywheelModelLauncher.Served v2 = launcher.serve(bundle, digest, "churn-v2", v2Port);
    started.add(v2.process());
    prometheus.awaitReady(Duration.ofSeconds(30), basicAuthorization(USER, PASSWORD));
    launcher.awaitReady(v1, Duration.ofSeconds(60));
    launcher.awaitReady(v2, Duration.ofSeconds(60));

    // Both servers scraped once before any traffic (every counter at 0), so rate() sees all of what follows.
    awaitValue("count(flywheel_requests_total{model=\"churn\",outcome=\"ok\"})", 2);
    sendTraffic(v1.url(), V1_REQUESTS, 0);
    sendTraffic(v2.url(), V2_VALID, V2_MALFORMED);
    awaitValue("sum(flywheel_requests_total{model=\"churn\",version=\"churn-v1\"})", V1_REQUESTS);
    awaitValue("sum(flywheel_requests_total{model=\"churn\",version=\"churn-v2\"})", V2_VALID + V2_MALFORMED);

    gateway = new AuthGateway(GATEWAY_TOKEN, TENANT, prometheus.baseUrl(), basicAuthorization(USER, PASSWORD));
  }

  @AfterAll
  static void stopEverything() {
    if (gateway != null) {
      gateway.close();
    }
    for (int i = started.size() - 1; i >= 0; i--) {
      Process process = started.get(i);
      try {
        Processes.stop(process);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        process.destroyForcibly();
      }
    }
  }

  @Test
  @Order(1)
  void theHealthyVersionSucceedsAndTheFailingOneFailsWithItsValue() {
    AnalysisQuery errorRate = analysis.get("error-rate");
    AnalysisVerdict healthy = AnalysisJudge.judge(errorRate, query(endpoint, errorRate, "churn", "churn-v1"));
    assertThat(healthy.phase()).as(healthy.message()).isEqualTo(AnalysisPhase.SUCCESSFUL);
    assertThat(healthy.value()).isEqualTo(0.0);
    assertThat(healthy.message()).isEqualTo("error-rate = 0 <= max 0.01");

    QueryResult failing = query(endpoint, errorRate, "churn", "churn-v2");
    AnalysisVerdict verdict = AnalysisJudge.judge(errorRate, failing);
    assertThat(verdict.phase()).as(verdict.message()).isEqualTo(AnalysisPhase.FAILED);
    assertThat(verdict.value()).isCloseTo((double) V2_MALFORMED / (V2_VALID + V2_MALFORMED), within(1e-9));
    assertThat(verdict.message()).isEqualTo("error-rate = 0.8 > max 0.01");

    AnalysisMeasurement measurement = AnalysisJudge.measure(errorRate, failing, MEASURED_AT);
    assertThat(measurement.getPhase()).isEqualTo("Failed");
    assertThat(measurement.getTime()).isEqualTo("2025-06-01T12:00:00Z");
    assertThat(measurement.getValue()).isEqualTo(failing.value());
  }

  @Test
  @Order(2)
  void theExamplesLatencyQueryReturnsANumberForTheServedVersion() {
    AnalysisQuery latency = analysis.get("p99-latency");
    QueryResult result = query(endpoint, latency, "churn", "churn-v1");
    assertThat(result.outcome()).as(result.message()).isEqualTo(Outcome.VALUE);
    assertThat(AnalysisJudge.judge(latency, result).phase()).isNotEqualTo(AnalysisPhase.INCONCLUSIVE);
  }

  @Test
  @Order(3)
  void aModelWithoutMetricsIsNoDataAndInconclusive() {
    AnalysisQuery errorRate = analysis.get("error-rate");
    QueryResult result = query(endpoint, errorRate, "no-such-model", "churn-v1");
    assertThat(result.outcome()).as(result.message()).isEqualTo(Outcome.NO_DATA);
    AnalysisVerdict verdict = AnalysisJudge.judge(errorRate, result);
    assertThat(verdict.phase()).isEqualTo(AnalysisPhase.INCONCLUSIVE);
    assertThat(verdict.message()).isEqualTo("error-rate: no data (inconclusive)");

    // An escaped value stays inside its label matcher: a version crafted to break out matches nothing rather than 1.
    QueryResult crafted = query(endpoint, errorRate, "churn", "churn-v2\"} or vector(1) or x{a=\"");
    assertThat(crafted.outcome()).as(crafted.message()).isEqualTo(Outcome.NO_DATA);
  }

  @Test
  @Order(4)
  void whatRealPrometheusAnswersBesidesOneNumber() {
    QueryResult series = client.query(endpoint, "flywheel_requests_total{model=\"churn\"}");
    assertThat(series.outcome()).isEqualTo(Outcome.QUERY_ERROR);
    assertThat(series.message()).isEqualTo("returned 10 series; the query must return one number (aggregate it, e.g. sum(...))");
    QueryResult syntax = client.query(endpoint, "sum(rate(flywheel_requests_total[5m])");
    assertThat(syntax.outcome()).isEqualTo(Outcome.QUERY_ERROR);
    assertThat(syntax.message()).startsWith("query failed (bad_data): ");
    assertThat(client.query(endpoint, "0 / 0").outcome()).isEqualTo(Outcome.NOT_A_NUMBER);
    assertThat(client.query(endpoint, "1 / 0").value()).isEqualTo(Double.POSITIVE_INFINITY);
    assertThat(client.query(endpoint, "vector(-1) / 0").value()).isEqualTo(Double.NEGATIVE_INFINITY);
    assertThat(client.query(endpoint, "flywheel_requests_total{model=\"churn\"}[1m]").message()).contains("range vector");
    AnalysisQuery errorRate = analysis.get("error-rate");
    assertThat(AnalysisJudge.judge(errorRate, series).phase()).isEqualTo(AnalysisPhase.INCONCLUSIVE);
    assertThat(AnalysisJudge.judge(errorRate, client.query(endpoint, "0 / 0")).message()).isEqualTo("error-rate: NaN (inconclusive)");
  }

  @Test
  @Order(5)
  void prometheusChecksTheBasicAuthCredentialsTheClientSends() {
    for (PrometheusEndpoint wrong : List.of(PrometheusEndpoint.of(prometheus.baseUrl()),
        PrometheusEndpoint.from(prometheus.baseUrl(), Map.of(), Map.of("username", USER, "password", "not-the-password")))) {
      QueryResult result = client.query(wrong, "vector(1)");
      assertThat(result.outcome()).as(wrong.toString()).isEqualTo(Outcome.QUERY_ERROR);
      assertThat(result.message()).isEqualTo("Prometheus answered 401: check monitoring.secretRef");
      assertThat(AnalysisJudge.judge(analysis.get("error-rate"), result).phase()).isEqualTo(AnalysisPhase.INCONCLUSIVE);
    }
    assertThat(client.query(endpoint, "vector(1)").value()).isEqualTo(1.0);
  }

  @Test
  @Order(6)
  void aBearerTokenAndExtraHeadersReachAGatewayInFrontOfPrometheus() {
    PrometheusEndpoint throughGateway = PrometheusEndpoint.from(gateway.baseUrl(), Map.of(AuthGateway.TENANT_HEADER, TENANT),
        Map.of("token", GATEWAY_TOKEN + "\n"));
    AnalysisQuery errorRate = analysis.get("error-rate");
    AnalysisVerdict verdict = AnalysisJudge.judge(errorRate, query(throughGateway, errorRate, "churn", "churn-v2"));
    assertThat(verdict.phase()).as(verdict.message()).isEqualTo(AnalysisPhase.FAILED);
    assertThat(verdict.message()).isEqualTo("error-rate = 0.8 > max 0.01");
    assertThat(gateway.forwarded()).isEqualTo(1);

    PrometheusEndpoint noTenant = PrometheusEndpoint.from(gateway.baseUrl(), Map.of(), Map.of("token", GATEWAY_TOKEN));
    PrometheusEndpoint wrongToken = PrometheusEndpoint.from(gateway.baseUrl(), Map.of(AuthGateway.TENANT_HEADER, TENANT), Map.of("token", "other"));
    assertThat(client.query(noTenant, "vector(1)").message()).isEqualTo("Prometheus answered 401: check monitoring.secretRef");
    assertThat(client.query(wrongToken, "vector(1)").message()).isEqualTo("Prometheus answered 401: check monitoring.secretRef");
    assertThat(gateway.refused()).isEqualTo(2);
    assertThat(gateway.forwarded()).isEqualTo(1);
  }

  @Test
  @Order(7)
  void aStoppedPrometheusIsUnreachableAndInconclusive() throws Exception {
    prometheus.stop();
    AnalysisQuery errorRate = analysis.get("error-rate");
    QueryResult result = query(endpoint, errorRate, "churn", "churn-v2");
    assertThat(result.outcome()).as(result.message()).isEqualTo(Outcome.UNREACHABLE);
    assertThat(result.message()).isEqualTo("cannot reach Prometheus at " + prometheus.baseUrl() + ": connection refused");
    AnalysisVerdict verdict = AnalysisJudge.judge(errorRate, result);
    assertThat(verdict.phase()).isEqualTo(AnalysisPhase.INCONCLUSIVE);
    assertThat(verdict.message()).startsWith("error-rate: Prometheus unreachable (inconclusive): cannot reach Prometheus at");
  }

  private static QueryResult query(PrometheusEndpoint at, AnalysisQuery check, String model, String version) {
    return client.query(at, QueryTemplate.fill(check.getQuery(), Map.of(QueryTemplate.MODEL, model, QueryTemplate.VERSION, version,
        QueryTemplate.NAMESPACE, "ml-churn", QueryTemplate.DEPLOYMENT, "churn")));
  }

  /** The analysis queries of examples/churn-serving/modeldeployment-churn.yaml, by name. */
  private static Map<String, AnalysisQuery> exampleAnalysis() throws Exception {
    ObjectMapper yaml = new ObjectMapper(new YAMLFactory());
    JsonNode example = yaml.readTree(RepoPaths.examples().resolve("churn-serving/modeldeployment-churn.yaml").toFile());
    Map<String, AnalysisQuery> byName = new LinkedHashMap<>();
    for (JsonNode node : example.path("spec").path("rollout").path("analysis")) {
      AnalysisQuery check = yaml.treeToValue(node, AnalysisQuery.class);
      byName.put(check.getName(), check);
    }
    assertThat(byName).containsKeys("error-rate", "p99-latency");
    return byName;
  }

  /** {@code valid} good requests, then {@code malformed} ones; each must get 200, or a 4xx. */
  private static void sendTraffic(String server, int valid, int malformed) throws Exception {
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    Random random = new Random(11);
    for (int i = 0; i < valid + malformed; i++) {
      String body = i < valid ? ChurnData.validRequest(random) : ChurnData.malformedRequest(i);
      HttpResponse<String> answer = http.send(HttpRequest.newBuilder(URI.create(server + "/v2/models/churn/infer"))
          .timeout(Duration.ofSeconds(5)).header("Content-Type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
      if (i < valid) {
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
      } else {
        assertThat(answer.statusCode()).as(answer.body()).isBetween(400, 499);
      }
    }
  }

  /** Polls Prometheus until the query returns exactly {@code expected} (the scrapes have caught up). */
  private static void awaitValue(String promql, double expected) throws InterruptedException {
    long deadline = System.nanoTime() + SCRAPED_WITHIN.toNanos();
    QueryResult last;
    do {
      last = client.query(endpoint, promql);
      if (last.available() && last.value() == expected) {
        return;
      }
      Thread.sleep(250);
    } while (System.nanoTime() < deadline);
    throw new AssertionError(promql + " did not reach " + expected + " within " + SCRAPED_WITHIN + " (last: " + last.outcome()
        + " " + last.message() + ")\n" + prometheus.log());
  }

  private static String basicAuthorization(String user, String password) {
    return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
  }

  private static void deleteRecursively(Path dir) throws Exception {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(path);
      }
    }
  }
}
