package dev.flywheel.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.flywheel.crds.modeldeployment.Trigger;
import dev.flywheel.crds.modeldeployment.TriggerStatus;
import dev.flywheel.crds.modeldeployment.TriggerType;
import dev.flywheel.crds.validation.RepoPaths;
import dev.flywheel.operator.metrics.PrometheusClient;
import dev.flywheel.operator.metrics.PrometheusEndpoint;
import dev.flywheel.operator.metrics.QueryResult.Outcome;
import dev.flywheel.operator.metrics.QueryResult;
import dev.flywheel.operator.metrics.QueryTemplate;
import dev.flywheel.operator.retraining.TriggerEvaluator;
import dev.flywheel.operator.retraining.TriggerQueries;
import dev.flywheel.sandbox.Ports;
import dev.flywheel.sandbox.Processes;
import dev.flywheel.sandbox.story.ChurnData;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.function.Function;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The retraining trigger templates of TriggerQueries against a real Prometheus scraping two real flywheel-model
 * servers (churn-v1 stable and healthy, churn-v2 a canary whose traffic shifts, whose labels disagree and which gets
 * malformed requests), the namespace label attached from the scrape target as a PodMonitor does, and TriggerEvaluator
 * fed with one real result after each scrape at stepped instants.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class TriggerQueriesIT {
  private static final String NAMESPACE = "ml-churn";
  private static final String MODEL = "churn";
  private static final String STABLE = "churn-v1";
  private static final String CANARY = "churn-v2";
  private static final int TRAINING_ROWS = 1000;
  /** Rows of drift window: the training-like traffic fills it, then the shifted traffic replaces all of it. */
  private static final int DRIFT_WINDOW = 250;
  private static final int FEEDBACK_WINDOW = 50;
  /** Labels that disagree with the canary's predictions: the window then holds 20 right and 30 wrong, accuracy 0.4. */
  private static final int DISAGREEING = 30;
  private static final int MALFORMED = 25;
  private static final Instant T0 = Instant.parse("2025-06-01T12:00:00Z");
  private static final Duration SCRAPED_WITHIN = Duration.ofSeconds(20);

  private static final Trigger DRIFT = trigger("drift", TriggerType.DRIFT, 0.2, "3s");
  private static final Trigger ACCURACY = trigger("accuracy", TriggerType.ACCURACY, 0.8, "2s");
  private static final Trigger ERROR_RATE = trigger("error-rate", TriggerType.ERROR_RATE, 0.01, "1s");
  private static final Trigger LATENCY = trigger("latency", TriggerType.LATENCY, 1.0, "1s");

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  private static final PrometheusClient client = new PrometheusClient(Duration.ofSeconds(1), Duration.ofSeconds(5));
  private static final List<Process> started = new ArrayList<>();
  private static final Map<String, Double> lastScrape = new HashMap<>();
  private static LocalPrometheus prometheus;
  private static PrometheusEndpoint endpoint;
  private static FlywheelModelLauncher.Served stable;
  private static FlywheelModelLauncher.Served canary;
  private static List<Scored> stableTraffic;
  private static List<Scored> canaryTraffic;
  private static List<Scored> canaryShifted;
  /** The canary's drift trigger once it fired, and the result that fired it. */
  private static TriggerStatus canaryDriftFiring;
  private static QueryResult canaryDriftHigh;

  /** One answered inference request: the id the server gave it and the class it predicted. */
  private record Scored(String id, String predicted) {}

  @BeforeAll
  static void serveTwoVersionsAndScrapeThemWithTheirNamespace() throws Exception {
    assumeTrue(LocalPrometheus.installed(), "TriggerQueriesIT needs the Prometheus server at " + LocalPrometheus.BINARY
        + " (Debian package prometheus: apt-get install -y --no-install-recommends prometheus; .ci/run installs it)");
    Path target = Files.createDirectories(RepoPaths.root().resolve("e2e-tests/target"));
    Path work = Files.createTempDirectory(target, "trigger-queries-it-");

    int stablePort = Ports.free();
    int canaryPort = Ports.free();
    prometheus = LocalPrometheus.start(work.resolve("prometheus"), List.of("127.0.0.1:" + stablePort, "127.0.0.1:" + canaryPort),
        Map.of("namespace", NAMESPACE), Map.of());
    started.add(prometheus.process());
    endpoint = PrometheusEndpoint.of(prometheus.baseUrl());

    FlywheelModelLauncher launcher = new FlywheelModelLauncher(work);
    Path bundle = work.resolve("churn-bundle");
    String digest = launcher.train(ChurnData.writeCsv(work.resolve("churn.csv"), TRAINING_ROWS, 7), bundle);
    stable = launcher.serve(bundle, digest, STABLE, stablePort, DRIFT_WINDOW, FEEDBACK_WINDOW);
    started.add(stable.process());
    canary = launcher.serve(bundle, digest, CANARY, canaryPort, DRIFT_WINDOW, FEEDBACK_WINDOW);
    started.add(canary.process());
    prometheus.awaitReady(Duration.ofSeconds(30), null);
    launcher.awaitReady(stable, Duration.ofSeconds(60));
    launcher.awaitReady(canary, Duration.ofSeconds(60));

    // Both scraped once before any traffic (every counter at 0, so rate() sees all that follows), with the namespace
    // label Prometheus attached from the target: the servers themselves export none.
    awaitValue("count(flywheel_requests_total{namespace=\"" + NAMESPACE + "\",model=\"churn\",outcome=\"ok\"})", 2);
    assertThat(get(stable.url() + "/metrics")).contains("flywheel_requests_total{").doesNotContain("namespace=");
  }

  @AfterAll
  static void stopEverything() {
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
  void driftStaysQuietOnTrainingLikeTrafficAndFiresOnlyAfterTheShiftHeldForItsFor() throws Exception {
    stableTraffic = infer(stable, DRIFT_WINDOW, ChurnData::validRequest, 1);
    canaryTraffic = infer(canary, DRIFT_WINDOW, ChurnData::validRequest, 2);
    awaitRequests(STABLE, DRIFT_WINDOW);
    awaitRequests(CANARY, DRIFT_WINDOW);
    double stableQuiet = value(query(TriggerQueries.DRIFT, STABLE));
    double canaryQuiet = value(query(TriggerQueries.DRIFT, CANARY));
    report("drift on training-like traffic: %s %.4f, %s %.4f", STABLE, stableQuiet, CANARY, canaryQuiet);
    assertThat(stableQuiet).isBetween(0.0, 0.2);
    assertThat(canaryQuiet).isBetween(0.0, 0.2);

    // Quiet for longer than its for: never fires, and no clock runs.
    List<TriggerStatus> quiet = evaluateAtScrapes(DRIFT, CANARY, T0, 5, Optional.empty());
    assertThat(quiet).allSatisfy(status -> {
      assertThat(status.getFiring()).isFalse();
      assertThat(status.getSince()).isNull();
      assertThat(status.getValue()).isLessThan(0.2);
    });

    canaryShifted = infer(canary, DRIFT_WINDOW, ChurnData::shiftedRequest, 3);
    awaitRequests(CANARY, 2 * DRIFT_WINDOW);
    canaryDriftHigh = query(TriggerQueries.DRIFT, CANARY);
    report("drift after the shift: %s %.4f", CANARY, value(canaryDriftHigh));
    assertThat(value(canaryDriftHigh)).isGreaterThan(0.2);

    // One evaluation after each scrape, the instants one second apart as the scrapes are: for 3s holds at the 4th.
    Instant shiftedAt = T0.plusSeconds(60);
    List<TriggerStatus> shifted = evaluateAtScrapes(DRIFT, CANARY, shiftedAt, 5, Optional.of(quiet.get(quiet.size() - 1)));
    assertThat(shifted).extracting(TriggerStatus::getFiring).containsExactly(false, false, false, true, true);
    assertThat(shifted).allSatisfy(status -> {
      assertThat(status.getSince()).isEqualTo("2025-06-01T12:01:00Z");
      assertThat(status.getValue()).isGreaterThan(0.2);
    });
    canaryDriftFiring = shifted.get(shifted.size() - 1);
  }

  @Test
  @Order(2)
  void accuracyStaysHighWhileLabelsAgreeAndFiresWhenTheyDisagree() throws Exception {
    // No label yet: the gauge is absent (never NaN), so no data, and nothing fires.
    QueryResult none = query(TriggerQueries.ACCURACY, CANARY);
    assertThat(none.outcome()).as(none.message()).isEqualTo(Outcome.NO_DATA);
    assertThat(TriggerEvaluator.evaluate(ACCURACY, Optional.empty(), none, T0).getFiring()).isFalse();

    feedback(stable, stableTraffic, true);
    feedback(canary, canaryTraffic, true);
    awaitFeedback(STABLE, DRIFT_WINDOW);
    awaitFeedback(CANARY, DRIFT_WINDOW);
    assertThat(value(query(TriggerQueries.ACCURACY, STABLE))).isEqualTo(1.0);
    assertThat(value(query(TriggerQueries.ACCURACY, CANARY))).isEqualTo(1.0);
    List<TriggerStatus> agreeing = evaluateAtScrapes(ACCURACY, CANARY, T0.plusSeconds(120), 3, Optional.empty());
    assertThat(agreeing).allSatisfy(status -> {
      assertThat(status.getFiring()).isFalse();
      assertThat(status.getSince()).isNull();
      assertThat(status.getValue()).isEqualTo(1.0);
    });

    feedback(canary, canaryShifted.subList(0, DISAGREEING), false);
    awaitFeedback(CANARY, DRIFT_WINDOW + DISAGREEING);
    double accuracy = value(query(TriggerQueries.ACCURACY, CANARY));
    report("online accuracy: agreeing labels 1.0, then %d of %d disagreeing: %s %.4f", DISAGREEING, FEEDBACK_WINDOW, CANARY, accuracy);
    assertThat(accuracy).isCloseTo((double) (FEEDBACK_WINDOW - DISAGREEING) / FEEDBACK_WINDOW, within(1e-9));
    List<TriggerStatus> disagreeing = evaluateAtScrapes(ACCURACY, CANARY, T0.plusSeconds(180), 4, Optional.of(agreeing.get(2)));
    assertThat(disagreeing).extracting(TriggerStatus::getFiring).containsExactly(false, false, true, true);
    assertThat(disagreeing).allSatisfy(status -> assertThat(status.getSince()).isEqualTo("2025-06-01T12:03:00Z"));
  }

  @Test
  @Order(3)
  void errorRateAndLatencyReturnNumbersForAServedModel() throws Exception {
    assertThat(value(query(TriggerQueries.ERROR_RATE, STABLE))).isEqualTo(0.0);
    assertThat(value(query(TriggerQueries.ERROR_RATE, CANARY))).isEqualTo(0.0);

    sendMalformed(canary, MALFORMED);
    int canaryRequests = 2 * DRIFT_WINDOW + MALFORMED;
    awaitRequests(CANARY, canaryRequests);
    double errorRate = value(query(TriggerQueries.ERROR_RATE, CANARY));
    report("error rate: %s 0, %s %.6f after %d malformed of %d", STABLE, CANARY, errorRate, MALFORMED, canaryRequests);
    assertThat(errorRate).isCloseTo((double) MALFORMED / canaryRequests, within(1e-9));
    assertThat(TriggerQueries.breaches(ERROR_RATE, errorRate)).isTrue();
    assertThat(value(query(TriggerQueries.ERROR_RATE, STABLE))).isEqualTo(0.0);

    for (String version : List.of(STABLE, CANARY)) {
      double p99 = value(query(TriggerQueries.LATENCY, version));
      report("p99 latency: %s %.6f s", version, p99);
      assertThat(p99).isFinite().isGreaterThan(0.0).isLessThanOrEqualTo(10.0);
    }
  }

  @Test
  @Order(4)
  void theCanarysMetricsNeverFireTheStableVersionsTriggers() throws Exception {
    Instant from = T0.plusSeconds(240);
    for (Trigger trigger : List.of(DRIFT, ACCURACY, ERROR_RATE, LATENCY)) {
      List<TriggerStatus> stableStatuses = evaluateAtScrapes(trigger, STABLE, from, 3, Optional.empty());
      report("%s of %s at three scrapes: %s", trigger.getName(), STABLE, stableStatuses.stream().map(TriggerStatus::getValue).toList());
      assertThat(stableStatuses).as(trigger.getName()).allSatisfy(status -> {
        assertThat(status.getValue()).isNotNull();
        assertThat(status.getFiring()).isFalse();
        assertThat(status.getSince()).isNull();
      });
      from = from.plusSeconds(10);
    }
    assertThat(value(query(TriggerQueries.ACCURACY, STABLE))).isEqualTo(1.0);
    assertThat(value(query(TriggerQueries.ERROR_RATE, STABLE))).isEqualTo(0.0);

    // Meanwhile the canary's drift is high, and so is the model's taken over every version: the version scope is what
    // keeps the stable trigger quiet.
    assertThat(value(query(TriggerQueries.DRIFT, CANARY))).isGreaterThan(0.2);
    assertThat(value(query(TriggerQueries.ACCURACY, CANARY))).isLessThan(0.8);
    assertThat(value(client.query(endpoint, "max(flywheel_feature_drift_psi{namespace=\"" + NAMESPACE + "\",model=\"churn\"})")))
        .isGreaterThan(0.2);

    // The namespace scope is real too: the same model in another namespace is not this deployment's.
    QueryResult otherNamespace = client.query(endpoint, QueryTemplate.fill(TriggerQueries.DRIFT,
        values("team-other", CANARY)));
    assertThat(otherNamespace.outcome()).as(otherNamespace.message()).isEqualTo(Outcome.NO_DATA);
    assertThat(TriggerEvaluator.evaluate(DRIFT, Optional.of(canaryDriftFiring), otherNamespace, from).getFiring()).isFalse();
  }

  @Test
  @Order(5)
  void aStoppedPrometheusIsUnreachableAndTheTriggerStopsFiringAndStartsOver() throws Exception {
    assertThat(canaryDriftFiring.getFiring()).isTrue();
    prometheus.stop();
    QueryResult down = query(TriggerQueries.DRIFT, CANARY);
    assertThat(down.outcome()).as(down.message()).isEqualTo(Outcome.UNREACHABLE);
    assertThat(down.message()).isEqualTo("cannot reach Prometheus at " + prometheus.baseUrl() + ": connection refused");

    Instant outage = T0.plusSeconds(300);
    TriggerStatus unreachable = TriggerEvaluator.evaluate(DRIFT, Optional.of(canaryDriftFiring), down, outage);
    assertThat(unreachable.getFiring()).isFalse();
    assertThat(unreachable.getSince()).isNull();
    assertThat(unreachable.getValue()).isNull();

    // When the same high value comes back, its clock starts again: it fires only after another full for.
    Instant back = outage.plusSeconds(1);
    TriggerStatus again = TriggerEvaluator.evaluate(DRIFT, Optional.of(unreachable), canaryDriftHigh, back);
    assertThat(again.getFiring()).isFalse();
    assertThat(again.getSince()).isEqualTo("2025-06-01T12:05:01Z");
    assertThat(TriggerEvaluator.evaluate(DRIFT, Optional.of(again), canaryDriftHigh, back.plusSeconds(2)).getFiring()).isFalse();
    assertThat(TriggerEvaluator.evaluate(DRIFT, Optional.of(again), canaryDriftHigh, back.plusSeconds(3)).getFiring()).isTrue();
  }

  private static Trigger trigger(String name, TriggerType type, double threshold, String forDuration) {
    Trigger trigger = new Trigger();
    trigger.setName(name);
    trigger.setType(type);
    trigger.setThreshold(threshold);
    trigger.setForDuration(forDuration);
    return trigger;
  }

  /**
   * {@code count} evaluations of {@code trigger} for {@code version}, as the operator makes them: each after a new
   * scrape of that version, at {@code first}, {@code first + 1s}, …, each fed the previous status.
   */
  private static List<TriggerStatus> evaluateAtScrapes(Trigger trigger, String version, Instant first, int count,
      Optional<TriggerStatus> previous) throws InterruptedException {
    List<TriggerStatus> statuses = new ArrayList<>();
    Optional<TriggerStatus> last = previous;
    for (int i = 0; i < count; i++) {
      awaitNextScrape(version);
      QueryResult result = client.query(endpoint, QueryTemplate.fill(TriggerQueries.of(trigger), values(NAMESPACE, version)));
      assertThat(result.outcome()).as(trigger.getName() + " of " + version + ": " + result.message()).isEqualTo(Outcome.VALUE);
      TriggerStatus status = TriggerEvaluator.evaluate(trigger, last, result, first.plusSeconds(i));
      statuses.add(status);
      last = Optional.of(status);
    }
    return statuses;
  }

  private static QueryResult query(String template, String version) {
    return client.query(endpoint, QueryTemplate.fill(template, values(NAMESPACE, version)));
  }

  private static Map<String, String> values(String namespace, String version) {
    return Map.of(QueryTemplate.NAMESPACE, namespace, QueryTemplate.MODEL, MODEL, QueryTemplate.VERSION, version,
        QueryTemplate.DEPLOYMENT, "churn");
  }

  private static double value(QueryResult result) {
    assertThat(result.outcome()).as(result.message()).isEqualTo(Outcome.VALUE);
    return result.value();
  }

  /** Waits for a scrape of {@code version} newer than the last one seen (the timestamp of its samples moved on). */
  private static void awaitNextScrape(String version) throws InterruptedException {
    double seen = lastScrape.getOrDefault(version, 0.0);
    String promql = QueryTemplate.fill("max(timestamp(flywheel_drift_window_rows{namespace=\"{{namespace}}\",model=\"{{model}}\","
        + "version=\"{{version}}\"}))", values(NAMESPACE, version));
    QueryResult next = prometheus.await(client, endpoint, promql, r -> r.available() && r.value() > seen, "a newer scrape", SCRAPED_WITHIN);
    lastScrape.put(version, next.value());
  }

  private static void awaitValue(String promql, double expected) throws InterruptedException {
    prometheus.await(client, endpoint, promql, r -> r.available() && r.value() == expected, String.valueOf(expected), SCRAPED_WITHIN);
  }

  private static void awaitRequests(String version, int requests) throws InterruptedException {
    awaitValue(QueryTemplate.fill("sum(flywheel_requests_total{namespace=\"{{namespace}}\",model=\"{{model}}\",version=\"{{version}}\"})",
        values(NAMESPACE, version)), requests);
  }

  private static void awaitFeedback(String version, int labels) throws InterruptedException {
    awaitValue(QueryTemplate.fill("sum(flywheel_feedback_total{namespace=\"{{namespace}}\",model=\"{{model}}\",version=\"{{version}}\","
        + "result=~\"correct|incorrect\"})", values(NAMESPACE, version)), labels);
  }

  /** {@code count} valid requests made by {@code request}; each must be answered 200 with an id and a predicted class. */
  private static List<Scored> infer(FlywheelModelLauncher.Served server, int count, Function<Random, String> request, long seed)
      throws Exception {
    Random random = new Random(seed);
    List<Scored> scored = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      HttpResponse<String> answer = post(server.url() + "/v2/models/churn/infer", request.apply(random));
      assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
      JsonNode body = JSON.readTree(answer.body());
      String predicted = null;
      for (JsonNode output : body.path("outputs")) {
        if (output.path("name").asText().equals("predicted_class")) {
          predicted = output.path("data").path(0).asText();
        }
      }
      assertThat(predicted).as(answer.body()).isIn("no", "yes");
      scored.add(new Scored(body.path("id").asText(), predicted));
    }
    return scored;
  }

  /** Delayed labels for {@code scored}, in one /v1/feedback request: the predicted class, or the other one. */
  private static void feedback(FlywheelModelLauncher.Served server, List<Scored> scored, boolean agree) throws Exception {
    ArrayNode items = JSON.createArrayNode();
    for (Scored s : scored) {
      String label = agree ? s.predicted() : s.predicted().equals("yes") ? "no" : "yes";
      items.addObject().put("id", s.id()).put("label", label);
    }
    HttpResponse<String> answer = post(server.url() + "/v1/feedback", JSON.writeValueAsString(items));
    assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
    JsonNode body = JSON.readTree(answer.body());
    assertThat(body.path("accepted").asInt()).as(answer.body()).isEqualTo(scored.size());
    assertThat(body.path("unknownIds")).as(answer.body()).isEmpty();
  }

  private static void sendMalformed(FlywheelModelLauncher.Served server, int count) throws Exception {
    for (int i = 0; i < count; i++) {
      HttpResponse<String> answer = post(server.url() + "/v2/models/churn/infer", ChurnData.malformedRequest(i));
      assertThat(answer.statusCode()).as(answer.body()).isBetween(400, 499);
    }
  }

  private static HttpResponse<String> post(String url, String body) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
  }

  private static String get(String url) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString())
        .body();
  }

  /** The values the report quotes, in the test output (target/failsafe-reports). */
  private static void report(String format, Object... args) {
    System.out.println("TriggerQueriesIT: " + String.format(Locale.ROOT, format, args));
  }
}
