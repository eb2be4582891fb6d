package dev.flywheel.model.serve;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.flywheel.model.bundle.ModelBundle;
import dev.flywheel.model.data.Task;
import dev.flywheel.model.serve.http.TransportSettings;
import dev.flywheel.model.testdata.SyntheticData;
import dev.flywheel.model.train.TrainingOptions;
import dev.flywheel.model.train.TrainingRun;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The model server over real HTTP on a random loopback port, serving a churn model trained here with DJL. */
class ModelServerTest {
  private static Path dir;
  private static ModelBundle churn;
  private static ModelServer server;
  private static ServerHarness http;

  @BeforeAll
  static void trainAndServe() throws Exception {
    dir = Files.createTempDirectory("model-server-test");
    TrainingRun.run(SyntheticData.churn(dir, 2000, 11), "churned", null, Task.binaryClassification,
        new TrainingOptions(List.of(16, 8), 10, 32, 0.01, 5, 0.2), dir.resolve("churn"));
    churn = ModelBundle.open(dir.resolve("churn"), null, "auto");
    ServerSettings settings = ServerSettings.defaults("127.0.0.1", 0, "churn", "3").withWindows(400, 50);
    server = new ModelServer(settings, churn.metadata(), churn.digest(), churn.engine(), churn::score);
    http = new ServerHarness(server.start());
    server.warmUpAndMarkReady();
  }

  @AfterAll
  static void stop() {
    server.close();
    churn.close();
  }

  static String named(int rows, double tenure, double charges, double calls, String contract, String id) {
    String repeat = ("%s,".repeat(rows)).replaceAll(",$", "");
    String idField = id == null ? "" : "\"id\": \"" + id + "\", ";
    return String.format(Locale.ROOT, "{%s\"inputs\": ["
            + "{\"name\": \"tenure_months\", \"shape\": [%d], \"datatype\": \"FP32\", \"data\": [%s]},"
            + "{\"name\": \"monthly_charges\", \"shape\": [%d], \"datatype\": \"FP32\", \"data\": [%s]},"
            + "{\"name\": \"support_calls\", \"shape\": [%d, 1], \"datatype\": \"INT32\", \"data\": [%s]},"
            + "{\"name\": \"contract\", \"shape\": [%d], \"datatype\": \"BYTES\", \"data\": [%s]}]}",
        idField, rows, String.format(Locale.ROOT, repeat, repeatArgs(rows, tenure)), rows, String.format(Locale.ROOT, repeat, repeatArgs(rows, charges)),
        rows, String.format(Locale.ROOT, repeat, repeatArgs(rows, (long) calls)), rows, String.format(Locale.ROOT, repeat, repeatArgs(rows, "\"" + contract + "\"")));
  }

  private static Object[] repeatArgs(int n, Object value) {
    Object[] args = new Object[n];
    java.util.Arrays.fill(args, value);
    return args;
  }

  @Test
  void protocolEndpointsAnswer() throws Exception {
    assertThat(http.get("/v2/health/live").statusCode()).isEqualTo(200);
    assertThat(http.get("/v2/health/ready").statusCode()).isEqualTo(200);
    assertThat(json(http.get("/v2")).path("extensions").toString()).contains("feedback");
    JsonNode metadata = json(http.get("/v2/models/churn"));
    assertThat(metadata.path("inputs").findValuesAsText("name")).containsExactly("tenure_months", "monthly_charges", "support_calls", "contract");
    assertThat(metadata.path("versions").get(0).asText()).isEqualTo("3");
    assertThat(http.get("/v2/models/churn/ready").statusCode()).isEqualTo(200);
    assertThat(http.get("/v2/models/churn/versions/3/ready").statusCode()).isEqualTo(200);
    assertThat(http.get("/metrics").body()).contains("flywheel_model_info{digest=\"" + churn.digest() + "\"");
  }

  @Test
  void inferReturnsProbabilitiesClassesAndAnId() throws Exception {
    HttpResponse<String> response = http.post("/v2/models/churn/versions/3/infer", named(2, 3, 95, 6, "month-to-month", null));
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    JsonNode body = json(response);
    assertThat(body.path("model_name").asText()).isEqualTo("churn");
    assertThat(body.path("id").asText()).isNotBlank();
    JsonNode probabilities = body.path("outputs").get(0);
    assertThat(probabilities.path("shape").toString()).isEqualTo("[2,2]");
    double no = probabilities.path("data").get(0).asDouble();
    double yes = probabilities.path("data").get(1).asDouble();
    assertThat(no + yes).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-5));
    assertThat(body.path("outputs").get(1).path("data").get(0).asText()).isEqualTo(yes > no ? "yes" : "no");

    float expected = churn.score(new float[][] {churn.pipeline().encode(new Object[] {3.0, 95.0, 6.0, "month-to-month"})})[0][0];
    assertThat(yes).as("the server answers what the model computes").isCloseTo(expected, org.assertj.core.data.Offset.offset(1e-6));
  }

  @Test
  void underAutoACheapModelRunsOnTheEventLoopsAndASlowOneOnAnInferenceThread() throws Exception {
    ServerSettings settings = ServerSettings.defaults("127.0.0.1", 0, "churn", "auto").withThreads(2, ServerSettings.INFERENCE_THREADS_AUTO);
    java.util.function.UnaryOperator<float[][]> cheap = rows -> {
      float[][] scores = new float[rows.length][];
      Arrays.fill(scores, new float[] {0.25f});
      return scores;
    };
    java.util.function.UnaryOperator<float[][]> slow = rows -> {
      java.util.concurrent.locks.LockSupport.parkNanos(1_000_000); // 1 ms a batch: five times the event loops' budget
      return cheap.apply(rows);
    };
    try (ModelServer own = new ModelServer(settings, churn.metadata(), churn.digest(), churn.engine(), cheap)) {
      ServerHarness client = new ServerHarness(own.start());
      own.warmUpAndMarkReady();
      assertThat(own.inferencePlacement()).startsWith("on the I/O threads").contains("a batch of 32 rows took");
      assertThat(client.post("/v2/models/churn/infer", named(2, 3, 95, 6, "month-to-month", "cheap")).statusCode()).isEqualTo(200);
    }
    try (ModelServer own = new ModelServer(settings, churn.metadata(), churn.digest(), churn.engine(), slow)) {
      ServerHarness client = new ServerHarness(own.start());
      own.warmUpAndMarkReady();
      assertThat(own.inferencePlacement()).startsWith("on 1 inference thread").contains("budget 200 µs");
      assertThat(client.post("/v2/models/churn/infer", named(2, 3, 95, 6, "month-to-month", "slow")).statusCode()).isEqualTo(200);
    }
  }

  @ParameterizedTest
  @MethodSource("placements")
  void pipelinedRequestsAtALimitOfOneAreAllAnswered(int inferenceThreads) throws Exception {
    ServerSettings settings = ServerSettings.defaults("127.0.0.1", 0, "churn", "one").withLimits(1, Duration.ofSeconds(5))
        .withThreads(2, inferenceThreads);
    try (ModelServer own = new ModelServer(settings, churn.metadata(), churn.digest(), churn.engine(), churn::score)) {
      int port = own.start();
      own.warmUpAndMarkReady();
      String body = named(1, 3, 95, 6, "month-to-month", null);
      String request = "POST /v2/models/churn/infer HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: "
          + body.getBytes(java.nio.charset.StandardCharsets.UTF_8).length + "\r\n\r\n" + body;
      try (java.net.Socket socket = new java.net.Socket("127.0.0.1", port)) {
        socket.setSoTimeout(5_000);
        socket.getOutputStream().write(request.repeat(3).getBytes(java.nio.charset.StandardCharsets.UTF_8)); // in one write
        StringBuilder answers = new StringBuilder();
        byte[] buffer = new byte[8192];
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (answers.toString().split("HTTP/1.1 ", -1).length - 1 < 3 || !answers.toString().endsWith("}")) {
          int n = socket.getInputStream().read(buffer);
          if (n < 0 || System.nanoTime() > deadline) {
            break;
          }
          answers.append(new String(buffer, 0, n, java.nio.charset.StandardCharsets.UTF_8));
        }
        // each request waits for the one before it on its connection, so one place is enough for all three
        assertThat(answers.toString().split("HTTP/1.1 200 OK", -1)).as(answers.toString()).hasSize(4);
      }
    }
  }

  /** Where the model runs: the inference thread, the event loops (0), or the choice made at warm-up (auto). */
  static List<Integer> placements() {
    return List.of(1, 0, ServerSettings.INFERENCE_THREADS_AUTO);
  }

  @ParameterizedTest
  @MethodSource("placements")
  void concurrentRequestsBatchedTogetherEachGetTheirOwnAnswer(int inferenceThreads) throws Exception {
    ServerSettings settings = ServerSettings.defaults("127.0.0.1", 0, "churn", "batched").withBatching(32, Duration.ofMillis(2))
        .withThreads(2, inferenceThreads);
    try (ModelServer own = new ModelServer(settings, churn.metadata(), churn.digest(), churn.engine(), churn::score)) {
      ServerHarness client = new ServerHarness(own.start());
      own.warmUpAndMarkReady();
      assertThat(own.inferencePlacement()).as("the start-up line says where the model runs")
          .contains(switch (inferenceThreads) {
            case 1 -> "on 1 inference thread";
            case 0 -> "on the I/O threads";
            default -> "at warm-up"; // (which of the two depends on how fast this machine runs the batch: ModelScoringTest)
          });
      String[] contracts = {"month-to-month", "one-year", "two-year"};
      java.util.concurrent.ExecutorService threads = java.util.concurrent.Executors.newFixedThreadPool(24);
      List<CompletableFuture<Void>> senders = new ArrayList<>();
      for (int t = 0; t < 24; t++) {
        int sender = t;
        senders.add(CompletableFuture.runAsync(() -> {
          Random random = new Random(sender);
          for (int i = 0; i < 40; i++) {
            int rows = 1 + random.nextInt(3);
            double tenure = 1 + random.nextInt(72);
            double charges = 20 + random.nextInt(100);
            int calls = random.nextInt(8);
            String contract = contracts[random.nextInt(3)];
            String id = "sender-" + sender + "-" + i;
            try {
              HttpResponse<String> response = client.post("/v2/models/churn/infer", named(rows, tenure, charges, calls, contract, id));
              JsonNode body = json(response);
              assertThat(body.path("id").asText()).isEqualTo(id);
              float expected = churn.score(new float[][] {churn.pipeline().encode(new Object[] {tenure, charges, (double) calls, contract})})[0][0];
              JsonNode probabilities = body.path("outputs").get(0);
              assertThat(probabilities.path("shape").toString()).isEqualTo("[" + rows + ",2]");
              for (int r = 0; r < rows; r++) {
                assertThat(probabilities.path("data").get(2 * r + 1).asDouble()).as(id + " row " + r)
                    .isCloseTo(expected, org.assertj.core.data.Offset.offset(1e-6));
              }
            } catch (Exception e) {
              throw new IllegalStateException(e);
            }
          }
        }, threads));
      }
      try {
        CompletableFuture.allOf(senders.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
      } finally {
        threads.shutdownNow();
      }
      double inferences = client.metric("flywheel_batch_size_rows_count{model=\"churn\",version=\"batched\"}");
      double rows = client.metric("flywheel_inference_rows_total{model=\"churn\",version=\"batched\"}");
      assertThat(inferences).as("requests were batched together").isLessThan(24 * 40);
      assertThat(rows).isGreaterThan(24 * 40);
    }
  }

  static List<Object[]> malformed() {
    String ok = named(1, 3, 95, 6, "month-to-month", null);
    List<Object[]> cases = new ArrayList<>();
    String infer = "/v2/models/churn/infer";
    cases.add(new Object[] {"POST", infer, "", 400});
    cases.add(new Object[] {"POST", infer, "{", 400});
    cases.add(new Object[] {"POST", infer, "not json", 400});
    cases.add(new Object[] {"POST", infer, "[]", 400});
    cases.add(new Object[] {"POST", infer, "{}", 400});
    cases.add(new Object[] {"POST", infer, "{\"inputs\": []}", 400});
    cases.add(new Object[] {"POST", infer, "{\"inputs\": {}}", 400});
    cases.add(new Object[] {"POST", infer, "{\"inputs\": [42]}", 400});
    cases.add(new Object[] {"POST", infer, "{\"inputs\": [{\"shape\": [1], \"datatype\": \"FP32\", \"data\": [1]}]}", 400});
    cases.add(new Object[] {"POST", infer, mutate(ok, "\"tenure_months\"", "\"tenure\""), 400});
    cases.add(new Object[] {"POST", infer, mutate(ok, "{\"name\": \"contract\", \"shape\": [1], \"datatype\": \"BYTES\", \"data\": [\"month-to-month\"]}",
        "{\"name\": \"tenure_months\", \"shape\": [1], \"datatype\": \"FP32\", \"data\": [1]}"), 400});
    cases.add(new Object[] {"POST", infer, mutate(ok, ",{\"name\": \"contract\", \"shape\": [1], \"datatype\": \"BYTES\", \"data\": [\"month-to-month\"]}", ""), 400});
    cases.add(new Object[] {"POST", infer, mutate(ok, "\"BYTES\"", "\"FP32\""), 400});
    cases.add(new Object[] {"POST", infer, mutate(ok, "\"datatype\": \"FP32\", \"data\": [3.0]", "\"datatype\": \"BYTES\", \"data\": [\"3\"]"), 400});
    cases.add(new Object[] {"POST", infer, mutate(ok, "[3.0]", "[\"three\"]"), 400});
    cases.add(new Object[] {"POST", infer, mutate(ok, "[3.0]", "[NaN]"), 400});
    cases.add(new Object[] {"POST", infer, mutate(ok, "[3.0]", "[Infinity]"), 400});
    cases.add(new Object[] {"POST", infer, mutate(ok, "[3.0]", "[null]"), 400});
    cases.add(new Object[] {"POST", infer, mutate(ok, "[3.0]", "[true]"), 400});
    cases.add(new Object[] {"POST", infer, mutate(ok, "\"datatype\": \"FP32\", \"data\": [3.0]", "\"datatype\": \"FLOAT\", \"data\": [3.0]"), 400});
    cases.add(new Object[] {"POST", infer, mutate(ok, "\"shape\": [1], \"datatype\": \"FP32\", \"data\": [3.0]", "\"shape\": [2], \"datatype\": \"FP32\", \"data\": [3.0]"), 400});
    cases.add(new Object[] {"POST", infer, mutate(ok, "\"shape\": [1], \"datatype\": \"FP32\", \"data\": [3.0]", "\"shape\": [1, 2], \"datatype\": \"FP32\", \"data\": [3.0, 4.0]"), 400});
    cases.add(new Object[] {"POST", infer, mutate(ok, "\"shape\": [1], \"datatype\": \"FP32\", \"data\": [3.0]", "\"shape\": [-1], \"datatype\": \"FP32\", \"data\": [3.0]"), 400});
    cases.add(new Object[] {"POST", infer, mutate(ok, "\"shape\": [1], \"datatype\": \"FP32\", \"data\": [3.0]", "\"shape\": \"1\", \"datatype\": \"FP32\", \"data\": [3.0]"), 400});
    cases.add(new Object[] {"POST", infer, mutate(ok, "\"shape\": [1], \"datatype\": \"FP32\", \"data\": [3.0]", "\"shape\": [0], \"datatype\": \"FP32\", \"data\": []"), 400});
    cases.add(new Object[] {"POST", infer, mutate(ok, "\"data\": [3.0]", "\"data\": 3.00"), 400});
    cases.add(new Object[] {"POST", infer, mutate(ok, "\"shape\": [1, 1], \"datatype\": \"INT32\", \"data\": [6]", "\"shape\": [1, 1], \"datatype\": \"INT32\", \"data\": [6.5]"), 400});
    cases.add(new Object[] {"POST", infer, "{\"inputs\": [{\"name\": \"input-0\", \"shape\": [1, 4], \"datatype\": \"FP32\", \"data\": [1, 2, 3, 4]}]}", 400});
    cases.add(new Object[] {"POST", infer, mutate(ok, "{\"inputs\"", "{\"id\": 17, \"inputs\""), 400});
    cases.add(new Object[] {"POST", infer, mutate(ok, "\"shape\": [1], \"datatype\": \"FP32\", \"data\": [3.0]", "\"shape\": [5000], \"datatype\": \"FP32\", \"data\": [3.0]"), 413});
    cases.add(new Object[] {"POST", infer, "{\"inputs\": [" + "1,".repeat(600_000) + "1]}", 413});
    cases.add(new Object[] {"POST", "/v2/models/fraud/infer", ok, 404});
    cases.add(new Object[] {"POST", "/v2/models/churn/versions/9/infer", ok, 404});
    cases.add(new Object[] {"GET", infer, null, 405});
    cases.add(new Object[] {"DELETE", "/v2/models/churn", null, 405});
    cases.add(new Object[] {"GET", "/v2/nothing-here", null, 404});
    cases.add(new Object[] {"POST", "/v1/feedback", "{\"id\": 1}", 400});
    cases.add(new Object[] {"POST", "/v1/feedback", "nope", 400});
    cases.add(new Object[] {"POST", "/v1/feedback", "[]", 400});
    return cases;
  }

  /** The valid request with one change; fails the test data itself if the change does not apply. */
  private static String mutate(String request, String from, String to) {
    if (!request.contains(from)) {
      throw new IllegalArgumentException("test data: '" + from + "' is not in " + request);
    }
    return request.replace(from, to);
  }

  @ParameterizedTest(name = "{0} {1} -> {3}")
  @MethodSource("malformed")
  void badRequestsGetA4xxWithAJsonError(String method, String path, String body, int status) throws Exception {
    HttpResponse<String> response = http.send(method, path, body);
    assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
    assertThat(json(response).path("error").asText()).as("a JSON error that says what is wrong").isNotBlank();
  }

  @Test
  void thereAreAtLeastThirtyMalformedRequests() {
    assertThat(malformed()).hasSizeGreaterThanOrEqualTo(30);
  }

  @Test
  void feedbackFeedsOnlineAccuracy() throws Exception {
    HttpResponse<String> answer = http.post("/v2/models/churn/infer", named(4, 2, 100, 7, "month-to-month", "req-feedback-1"));
    JsonNode predicted = json(answer).path("outputs").get(1).path("data");
    String right = predicted.get(0).asText();
    String wrong = right.equals("yes") ? "no" : "yes";
    String labels = "[\"" + right + "\", \"" + right + "\", \"" + right + "\", \"" + wrong + "\"]";
    HttpResponse<String> response = http.post("/v1/feedback", "{\"id\": \"req-feedback-1\", \"labels\": " + labels + "}");
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    assertThat(json(response).path("accepted").asInt()).isEqualTo(4);
    assertThat(http.metric("flywheel_online_accuracy{model=\"churn\",version=\"3\"}")).isEqualTo(0.75);
    assertThat(http.metric("flywheel_feedback_total{model=\"churn\",result=\"correct\",version=\"3\"}")).isGreaterThanOrEqualTo(3);

    HttpResponse<String> unknown = http.post("/v1/feedback", "{\"id\": \"never-seen\", \"label\": \"yes\"}");
    assertThat(unknown.statusCode()).as(unknown.body()).isEqualTo(404);
    assertThat(json(unknown).path("unknownIds").get(0).asText()).isEqualTo("never-seen");
    assertThat(http.post("/v1/feedback", "{\"id\": \"req-feedback-1\", \"labels\": [\"maybe\", \"yes\", \"yes\", \"yes\"]}").statusCode()).isEqualTo(400);
  }

  @Test
  void driftStaysLowForTrainingLikeTrafficAndRisesWhenInputsShift() throws Exception {
    ServerSettings settings = ServerSettings.defaults("127.0.0.1", 0, "churn", "drift").withWindows(300, 50);
    try (ModelServer own = new ModelServer(settings, churn.metadata(), churn.digest(), churn.engine(), churn::score)) {
      ServerHarness client = new ServerHarness(own.start());
      own.warmUpAndMarkReady();
      Random random = new Random(99);
      String[] contracts = {"month-to-month", "one-year", "two-year"};
      for (int i = 0; i < 300; i++) {
        double tenure = 1 + random.nextInt(72);
        assertThat(client.post("/v2/models/churn/infer", named(1, tenure, 20 + random.nextDouble() * 100, random.nextInt(8),
            contracts[random.nextInt(3)], null)).statusCode()).isEqualTo(200);
      }
      double stable = client.metric("flywheel_feature_drift_psi{feature=\"tenure_months\",model=\"churn\",version=\"drift\"}");
      assertThat(stable).as("PSI of training-like traffic").isLessThan(0.1);
      assertThat(client.metric("flywheel_feature_drift_psi{feature=\"contract\",model=\"churn\",version=\"drift\"}")).isLessThan(0.1);

      for (int i = 0; i < 30; i++) {
        assertThat(client.post("/v2/models/churn/infer", named(10, 70 + random.nextInt(3), 110, 0, "two-year", null)).statusCode()).isEqualTo(200);
      }
      assertThat(client.metric("flywheel_feature_drift_psi{feature=\"tenure_months\",model=\"churn\",version=\"drift\"}"))
          .as("PSI after tenure shifted").isGreaterThan(0.25);
      assertThat(client.metric("flywheel_feature_drift_psi{feature=\"contract\",model=\"churn\",version=\"drift\"}")).isGreaterThan(0.25);
      assertThat(client.metric("flywheel_prediction_drift_psi{model=\"churn\",version=\"drift\"}")).isGreaterThan(0.1);
      assertThat(client.metric("flywheel_drift_window_rows{model=\"churn\",version=\"drift\"}")).isEqualTo(300);
    }
  }

  @Test
  void overloadIsRefusedAtOnceAndSlowInferenceTimesOut() throws Exception {
    CountDownLatch gate = new CountDownLatch(1);
    AtomicBoolean gated = new AtomicBoolean(false);
    ServerSettings settings = ServerSettings.defaults("127.0.0.1", 0, "churn", "gated").withLimits(2, Duration.ofSeconds(2));
    try (ModelServer own = new ModelServer(settings, churn.metadata(), churn.digest(), churn.engine(), gatedScorer(gated, gate))) {
      ServerHarness client = new ServerHarness(own.start());
      own.warmUpAndMarkReady();
      gated.set(true);
      String request = named(1, 3, 95, 6, "month-to-month", null);
      String inFlight = "flywheel_in_flight_requests{model=\"churn\",version=\"gated\"}";
      CompletableFuture<HttpResponse<String>> stuck = CompletableFuture.supplyAsync(() -> post(client, request));
      awaitMetric(client, inFlight, 1);
      CompletableFuture<HttpResponse<String>> queued = CompletableFuture.supplyAsync(() -> post(client, request));
      awaitMetric(client, inFlight, 2);

      long before = System.nanoTime();
      HttpResponse<String> refused = client.post("/v2/models/churn/infer", request);
      assertThat(refused.statusCode()).as(refused.body()).isEqualTo(429);
      assertThat(refused.headers().firstValue("Retry-After")).contains("1");
      assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - before)).as("refused at once, not queued").isLessThan(1000);

      for (CompletableFuture<HttpResponse<String>> waiting : List.of(stuck, queued)) {
        HttpResponse<String> timedOut = waiting.get(10, TimeUnit.SECONDS);
        assertThat(timedOut.statusCode()).as("every request waiting for inference times out").isEqualTo(503);
        assertThat(json(timedOut).path("error").asText()).contains("did not finish within 2000 ms");
      }
      assertThat(client.metric(inFlight)).isEqualTo(0);
      assertThat(client.post("/v2/models/churn/infer", request).statusCode())
          .as("the stuck inference keeps the server full: memory stays bounded").isEqualTo(429);

      gate.countDown();
      awaitStatus(client, request, 200);
      assertThat(client.metric("flywheel_requests_total{model=\"churn\",outcome=\"timeout\",version=\"gated\"}")).isEqualTo(2);
      assertThat(client.metric("flywheel_requests_total{model=\"churn\",outcome=\"overloaded\",version=\"gated\"}")).isGreaterThanOrEqualTo(2);
    }
  }

  /** Posts until the answer has the status (the inference threads finish what they held first). */
  private static void awaitStatus(ServerHarness client, String request, int status) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    int last;
    while ((last = client.post("/v2/models/churn/infer", request).statusCode()) != status && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    assertThat(last).isEqualTo(status);
  }

  @Test
  void shutdownDrainsRequestsInFlightAndTurnsReadinessOffFirst() throws Exception {
    CountDownLatch gate = new CountDownLatch(1);
    AtomicBoolean gated = new AtomicBoolean(false);
    ServerSettings settings = ServerSettings.defaults("127.0.0.1", 0, "churn", "drain").withTransportTimeouts(
        TransportSettings.DEFAULT_HEADER_TIMEOUT, TransportSettings.DEFAULT_BODY_TIMEOUT, Duration.ofSeconds(1));
    ModelServer own = new ModelServer(settings, churn.metadata(), churn.digest(), churn.engine(), gatedScorer(gated, gate));
    ServerHarness client = new ServerHarness(own.start());
    own.warmUpAndMarkReady();
    gated.set(true);
    CompletableFuture<HttpResponse<String>> inFlight = CompletableFuture.supplyAsync(() -> post(client, named(1, 3, 95, 6, "month-to-month", null)));
    awaitMetric(client, "flywheel_in_flight_requests{model=\"churn\",version=\"drain\"}", 1);
    CompletableFuture<Void> closing = CompletableFuture.runAsync(own::close);
    Thread.sleep(100);
    assertThat(client.get("/v2/health/ready").statusCode()).as("not ready while draining (in the drain grace)").isEqualTo(503);
    Thread.sleep(1200);
    assertThat(closing.isDone()).as("after the grace, close waits for the request in flight").isFalse();
    gate.countDown();
    assertThat(inFlight.get(10, TimeUnit.SECONDS).statusCode()).as("the request in flight is answered").isEqualTo(200);
    closing.get(10, TimeUnit.SECONDS);
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> client.get("/v2/health/live")).isInstanceOf(java.io.IOException.class);
  }

  private static void awaitMetric(ServerHarness client, String sample, double value) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (client.metric(sample) < value && System.nanoTime() < deadline) {
      Thread.sleep(5);
    }
    assertThat(client.metric(sample)).isEqualTo(value);
  }

  /** The real model, held at a gate while gated is set (to make requests slow on purpose). */
  private static java.util.function.UnaryOperator<float[][]> gatedScorer(AtomicBoolean gated, CountDownLatch gate) {
    return rows -> {
      if (gated.get()) {
        try {
          gate.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      return churn.score(rows);
    };
  }

  private static HttpResponse<String> post(ServerHarness client, String body) {
    try {
      return client.post("/v2/models/churn/infer", body);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  static JsonNode json(HttpResponse<String> response) throws Exception {
    return ServerJson.MAPPER.readTree(response.body());
  }
}
