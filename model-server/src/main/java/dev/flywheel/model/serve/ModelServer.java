package dev.flywheel.model.serve;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.flywheel.model.bundle.ModelMetadata;
import dev.flywheel.model.data.FeaturePipeline;
import dev.flywheel.model.data.FeatureSpec;
import dev.flywheel.model.serve.capture.TrafficCapture;
import dev.flywheel.model.serve.http.HttpCall;
import dev.flywheel.model.serve.http.HttpTransport;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The HTTP model server: the Open Inference Protocol (KServe v2 REST) for one model, /v1/feedback for delayed
 * labels, /metrics for Prometheus. Requests are read and answered on the transport's event loops; the model runs on
 * inference threads (dynamic batching) and answers from there. Bad requests get a 4xx with {"error": "…"}; overload
 * gets 429 at once and slow inference 503, never an unbounded queue.
 */
public final class ModelServer implements AutoCloseable {
  private static final Pattern MODEL_PATH = Pattern.compile("^/v2/models/([^/]+)(?:/versions/([^/]+))?(/ready|/infer)?$");
  private static final String JSON_TYPE = "application/json";

  private final ServerSettings settings;
  private final ModelMetadata metadata;
  private final FeaturePipeline pipeline;
  private final UnaryOperator<float[][]> scorer;
  private final InferenceRequestReader reader;
  private final DriftMonitor drift;
  private final FeedbackTracker feedback;
  private final ServerMetrics metrics;
  private final Semaphore admission;
  private final AtomicInteger inFlight = new AtomicInteger();
  private final AtomicInteger arriving = new AtomicInteger();
  private final Batcher batcher;
  private final RequestTimeouts timeouts;
  private final TrafficCapture capture;
  private final String idPrefix = Long.toHexString(System.nanoTime() ^ Double.doubleToLongBits(Math.random()));
  private final AtomicLong ids = new AtomicLong();
  private final boolean classification;
  private volatile boolean ready;
  private volatile boolean draining;
  private HttpTransport http;

  /**
   * @param scorer encoded rows to scores (binary [p], multiclass probabilities, regression [value]); must be thread-safe
   */
  public ModelServer(ServerSettings settings, ModelMetadata metadata, String digest, String engine, UnaryOperator<float[][]> scorer) {
    this(settings, metadata, digest, engine, scorer, TrafficCapture.OFF);
  }

  /** @param capture gets every scored request and its feedback; closed (flushed) by {@link #close()} after the last */
  public ModelServer(ServerSettings settings, ModelMetadata metadata, String digest, String engine, UnaryOperator<float[][]> scorer,
      TrafficCapture capture) {
    this.settings = settings;
    this.metadata = metadata;
    this.pipeline = new FeaturePipeline(metadata.features());
    this.scorer = scorer;
    this.reader = new InferenceRequestReader(metadata.features(), settings.maxRowsPerRequest());
    this.drift = new DriftMonitor(metadata, settings.driftWindow());
    this.feedback = new FeedbackTracker(100_000, settings.feedbackWindow());
    this.classification = metadata.isClassification();
    this.metrics = new ServerMetrics(settings.modelName(), settings.modelVersion(), digest, engine, metadata, drift, feedback,
        inFlight);
    this.admission = new Semaphore(settings.maxConcurrentRequests());
    this.batcher = settings.inferenceThreads() > 0
        ? new Batcher(scorer, settings.maxBatchSize(), settings.maxBatchDelay().toNanos(), settings.inferenceThreads(), arriving::get, metrics::batch)
        : null;
    this.timeouts = new RequestTimeouts(settings.requestTimeout().toNanos());
    this.capture = capture;
    metrics.watchCapture(capture);
  }

  /** Binds the port and starts answering (not ready until {@link #warmUpAndMarkReady()}); returns the bound port. */
  public int start() throws IOException {
    http = new HttpTransport(settings.transport(), this::handle);
    return http.start();
  }

  /** Runs one inference through the same path as requests; the server is ready only if it succeeds. */
  public void warmUpAndMarkReady() throws Exception {
    float[][] row = {pipeline.encode(pipeline.typicalRow())};
    float[][] scores = score(row, () -> {}).get(30, TimeUnit.SECONDS);
    for (float s : scores[0]) {
      if (!Float.isFinite(s)) {
        throw new IllegalStateException("warm-up inference gave " + s);
      }
    }
    ready = true;
  }

  /** Ready: the model is loaded, warm-up passed, and the server is not draining for shutdown. */
  public boolean isReady() {
    return ready && !draining;
  }

  /**
   * Graceful shutdown: readiness turns false (so Kubernetes stops routing here); the transport serves on through the
   * drain grace, then answers every request in progress (up to the shutdown grace) and closes ({@link HttpTransport#close()}).
   */
  @Override
  public void close() {
    draining = true;
    if (http != null) {
      http.close();
    }
    ready = false;
    if (batcher != null) {
      batcher.close();
    }
    timeouts.close();
    capture.close();
  }

  private void handle(HttpCall call) {
    try {
      String path = call.path();
      String method = call.method();
      switch (path) {
        case "/v2/health/live" -> requireGet(call, method, () -> json(call, 200, object().put("live", true)));
        case "/v2/health/ready" -> requireGet(call, method, () -> json(call, isReady() ? 200 : 503, object().put("ready", isReady())));
        case "/v2" -> requireGet(call, method, () -> json(call, 200, serverMetadata()));
        case "/metrics" -> requireGet(call, method, () -> call.respond(200, ServerMetrics.CONTENT_TYPE, metrics.scrape()));
        case "/v1/feedback" -> requirePost(call, method, () -> feedback(call));
        default -> model(call, path, method);
      }
    } catch (IOException | RuntimeException e) {
      error(call, 500, "internal error: " + e.getClass().getSimpleName());
    }
  }

  private void model(HttpCall call, String path, String method) throws IOException {
    Matcher m = MODEL_PATH.matcher(path);
    if (!m.matches()) {
      error(call, 404, "no such endpoint: " + path);
      return;
    }
    String name = m.group(1);
    String version = m.group(2);
    if (!name.equals(settings.modelName()) || (version != null && !version.equals(settings.modelVersion()))) {
      error(call, 404, "model '" + name + "'" + (version == null ? "" : " version '" + version + "'")
          + " not found: this server serves model '" + settings.modelName() + "' version '" + settings.modelVersion() + "'");
      return;
    }
    String action = m.group(3);
    if (action == null) {
      requireGet(call, method, () -> json(call, 200, modelMetadata()));
    } else if (action.equals("/ready")) {
      requireGet(call, method, () -> json(call, isReady() ? 200 : 503, object().put("name", settings.modelName()).put("ready", isReady())));
    } else {
      requirePost(call, method, () -> infer(call));
    }
  }

  /**
   * Parses and checks the request on the event loop, then hands its rows to the inference threads; the answer is
   * written when the scores come back, or 503 when the request timeout passes first. A request holds its admission
   * place until its inference is done or skipped, so a stuck model fills the server (429s), not its memory.
   */
  private void infer(HttpCall call) {
    long started = System.nanoTime();
    if (!ready) {
      metrics.error("not_ready");
      metrics.request("error", seconds(started));
      error(call, 503, "model is not ready yet");
      return;
    }
    if (!admission.tryAcquire()) {
      metrics.error("overloaded");
      metrics.request("overloaded", seconds(started));
      error(call, 429, "server is at its limit of " + settings.maxConcurrentRequests() + " concurrent requests; retry later", "Retry-After", "1");
      return;
    }
    inFlight.incrementAndGet();
    arriving.incrementAndGet();
    InferenceRequestReader.Parsed request;
    float[][] encoded;
    try {
      request = reader.read(body(call));
      encoded = new float[request.rows().length][];
      for (int r = 0; r < encoded.length; r++) {
        encoded[r] = pipeline.encode(request.rows()[r]);
      }
    } catch (BadRequest e) {
      refuse(call, started, "bad_request", e.reason(), e.status(), e.getMessage());
      return;
    } catch (RuntimeException e) {
      refuse(call, started, "error", "internal", 500, "internal error: " + e.getClass().getSimpleName());
      return;
    } finally {
      // No longer arriving once parsed: counted down before the hand-over, or an idle inference thread that wakes on
      // this very request would see it still arriving and wait a slice for it.
      arriving.decrementAndGet();
    }
    CompletableFuture<float[][]> scores = score(encoded, admission::release);
    AtomicBoolean settled = new AtomicBoolean();
    if (!scores.isDone()) {
      timeouts.watch(settled, () -> {
        metrics.error("timeout");
        error(call, 503, "inference did not finish within " + settings.requestTimeout().toMillis() + " ms; retry later");
        finish(started, "timeout");
        scores.cancel(false); // a queued request is then skipped by the inference threads
      });
    }
    scores.whenComplete((s, failure) -> {
      if (!settled.compareAndSet(false, true)) {
        return; // answered 503 already
      }
      String outcome = "ok";
      try {
        if (failure != null) {
          outcome = "error";
          metrics.error("inference_failed");
          error(call, 500, "inference failed");
        } else {
          drift.observe(request.rows(), s);
          String id = request.id() != null ? request.id() : idPrefix + "-" + ids.incrementAndGet();
          capture.scored(id, request.rows());
          call.respond(200, JSON_TYPE, response(id, s));
        }
      } catch (IOException | RuntimeException e) {
        outcome = "error";
        error(call, 500, "internal error: " + e.getClass().getSimpleName());
      } finally {
        finish(started, outcome);
      }
    });
  }

  /** Answers an admitted request that never reached the model, and frees its place. */
  private void refuse(HttpCall call, long started, String outcome, String reason, int status, String message) {
    metrics.error(reason);
    error(call, status, message);
    finish(started, outcome);
    admission.release();
  }

  /** A request is answered and counted. */
  private void finish(long started, String outcome) {
    inFlight.decrementAndGet();
    metrics.request(outcome, seconds(started));
  }

  /**
   * Scores on the inference threads, or right here when the server runs the model on its I/O threads.
   *
   * @param done runs when the inference is over or was skipped (frees the request's admission place)
   */
  private CompletableFuture<float[][]> score(float[][] encoded, Runnable done) {
    if (batcher != null) {
      return batcher.submit(encoded, done);
    }
    try {
      float[][] scores = scorer.apply(encoded);
      metrics.batch(encoded.length);
      return CompletableFuture.completedFuture(scores);
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    } finally {
      done.run();
    }
  }

  private byte[] response(String id, float[][] scores) throws IOException {
    int rows = scores.length;
    ByteArrayOutputStream buffer = new ByteArrayOutputStream(128 + rows * 32);
    String[] predictedClasses = classification ? new String[rows] : null;
    double[] values = classification ? null : new double[rows];
    try (JsonGenerator g = InferenceRequestReader.JSON.getFactory().createGenerator(buffer)) {
      g.writeStartObject();
      g.writeStringField("model_name", settings.modelName());
      g.writeStringField("model_version", settings.modelVersion());
      g.writeStringField("id", id);
      g.writeArrayFieldStart("outputs");
      if (classification) {
        List<String> classes = metadata.classes();
        int k = classes.size();
        startTensor(g, "probabilities", "FP32", rows, k);
        for (int r = 0; r < rows; r++) {
          float[] p = scores[r].length == 1 ? new float[] {1 - scores[r][0], scores[r][0]} : scores[r];
          int best = 0;
          for (int c = 0; c < k; c++) {
            g.writeNumber(p[c]);
            if (p[c] > p[best]) {
              best = c;
            }
          }
          predictedClasses[r] = classes.get(best);
        }
        endTensor(g);
        startTensor(g, "predicted_class", "BYTES", rows);
        for (String c : predictedClasses) {
          g.writeString(c);
        }
        endTensor(g);
      } else {
        startTensor(g, "predictions", "FP32", rows);
        for (int r = 0; r < rows; r++) {
          values[r] = scores[r][0];
          g.writeNumber(scores[r][0]);
        }
        endTensor(g);
      }
      g.writeEndArray();
      g.writeEndObject();
    }
    feedback.remember(id, new FeedbackTracker.Prediction(predictedClasses, values));
    return buffer.toByteArray();
  }

  /** Opens an output tensor of the Open Inference Protocol, up to its data array. */
  private static void startTensor(JsonGenerator g, String name, String datatype, int... shape) throws IOException {
    g.writeStartObject();
    g.writeStringField("name", name);
    g.writeArrayFieldStart("shape");
    for (int dimension : shape) {
      g.writeNumber(dimension);
    }
    g.writeEndArray();
    g.writeStringField("datatype", datatype);
    g.writeArrayFieldStart("data");
  }

  private static void endTensor(JsonGenerator g) throws IOException {
    g.writeEndArray();
    g.writeEndObject();
  }

  private void feedback(HttpCall call) throws IOException {
    JsonNode root;
    try {
      root = InferenceRequestReader.JSON.readTree(body(call));
    } catch (BadRequest e) {
      error(call, e.status(), e.getMessage());
      return;
    } catch (IOException e) {
      error(call, 400, "feedback body is not valid JSON");
      return;
    }
    List<JsonNode> items = new ArrayList<>();
    if (root != null && root.isArray()) {
      root.forEach(items::add);
    } else if (root != null && root.isObject()) {
      items.add(root);
    }
    if (items.isEmpty()) {
      error(call, 400, "feedback must be an object {\"id\": …, \"label\": …} or {\"id\": …, \"labels\": […]}, or an array of them");
      return;
    }
    List<double[]> outcomes = new ArrayList<>();
    ArrayNode unknown = InferenceRequestReader.JSON.createArrayNode();
    for (JsonNode item : items) {
      String id = item.path("id").isTextual() ? item.get("id").asText() : null;
      JsonNode labels = item.has("labels") ? item.get("labels") : item.has("label") ? InferenceRequestReader.JSON.createArrayNode().add(item.get("label")) : null;
      if (id == null || labels == null || !labels.isArray() || labels.isEmpty()) {
        error(call, 400, "each feedback item needs a string \"id\" and a \"label\" or a \"labels\" array");
        return;
      }
      FeedbackTracker.Prediction prediction = feedback.prediction(id);
      if (prediction == null) {
        unknown.add(id);
        continue;
      }
      if (labels.size() != prediction.size()) {
        error(call, 400, "request " + id + " scored " + prediction.size() + " rows but " + labels.size() + " labels were sent");
        return;
      }
      for (int i = 0; i < labels.size(); i++) {
        JsonNode label = labels.get(i);
        if (classification) {
          if (!label.isTextual() && !label.isNumber() && !label.isBoolean()) {
            error(call, 400, "label " + label + " is not a class name");
            return;
          }
          String text = label.asText();
          if (!metadata.classes().contains(text)) {
            error(call, 400, "label '" + text + "' is not one of the model's classes " + metadata.classes());
            return;
          }
          outcomes.add(new double[] {prediction.classes()[i].equals(text) ? 1 : 0});
        } else {
          if (!label.isNumber() || !Double.isFinite(label.asDouble())) {
            error(call, 400, "label " + label + " must be a finite number for a regression model");
            return;
          }
          outcomes.add(new double[] {Math.abs(prediction.values()[i] - label.asDouble())});
        }
      }
      capture.labelled(id, labels);
    }
    long correct = 0;
    for (double[] outcome : outcomes) {
      feedback.record(outcome[0]);
      correct += outcome[0] == 1 ? 1 : 0;
    }
    if (classification) {
      metrics.feedback("correct", correct);
      metrics.feedback("incorrect", outcomes.size() - correct);
    } else {
      metrics.feedback("recorded", outcomes.size());
    }
    metrics.feedback("unknown_id", unknown.size());
    ObjectNode answer = object().put("accepted", outcomes.size());
    answer.set("unknownIds", unknown);
    json(call, 200, answer);
  }

  private ObjectNode serverMetadata() {
    ObjectNode node = object().put("name", "flywheel-model-server").put("version", version());
    node.putArray("extensions").add("feedback").add("drift");
    return node;
  }

  private ObjectNode modelMetadata() {
    ObjectNode node = object().put("name", settings.modelName()).put("platform", "flywheel-djl").put("task", metadata.task());
    node.putArray("versions").add(settings.modelVersion());
    ArrayNode inputs = node.putArray("inputs");
    for (FeatureSpec f : metadata.features()) {
      ObjectNode input = inputs.addObject().put("name", f.name()).put("datatype", f.isNumeric() ? "FP32" : "BYTES");
      input.putArray("shape").add(-1);
    }
    ArrayNode outputs = node.putArray("outputs");
    if (classification) {
      outputs.addObject().put("name", "probabilities").put("datatype", "FP32").putArray("shape").add(-1).add(metadata.classes().size());
      outputs.addObject().put("name", "predicted_class").put("datatype", "BYTES").putArray("shape").add(-1);
      ArrayNode classes = node.putArray("classes");
      metadata.classes().forEach(classes::add);
    } else {
      outputs.addObject().put("name", "predictions").put("datatype", "FP32").putArray("shape").add(-1);
    }
    return node;
  }

  private static String version() {
    String v = ModelServer.class.getPackage().getImplementationVersion();
    return v == null ? "dev" : v;
  }

  private byte[] body(HttpCall call) throws BadRequest {
    if (call.bodyTooLarge()) {
      throw new BadRequest(413, "too_large", "request body is larger than " + settings.maxRequestBytes() + " bytes");
    }
    return call.body();
  }

  private interface Action {
    void run() throws IOException;
  }

  private static void requireGet(HttpCall call, String method, Action action) throws IOException {
    require(call, method.equals("GET") || method.equals("HEAD"), "GET", action);
  }

  private static void requirePost(HttpCall call, String method, Action action) throws IOException {
    require(call, method.equals("POST"), "POST", action);
  }

  private static void require(HttpCall call, boolean allowed, String allow, Action action) throws IOException {
    if (allowed) {
      action.run();
    } else {
      error(call, 405, "use " + allow + " for " + call.path(), "Allow", allow);
    }
  }

  private static ObjectNode object() {
    return InferenceRequestReader.JSON.createObjectNode();
  }

  private static void error(HttpCall call, int status, String message, String... headers) {
    try {
      call.respond(status, JSON_TYPE, InferenceRequestReader.JSON.writeValueAsBytes(object().put("error", message)), headers);
    } catch (IOException e) {
      throw new IllegalStateException("cannot write a JSON error", e);
    }
  }

  private static void json(HttpCall call, int status, JsonNode body) throws IOException {
    call.respond(status, JSON_TYPE, InferenceRequestReader.JSON.writeValueAsBytes(body));
  }

  private static double seconds(long startedNanos) {
    return (System.nanoTime() - startedNanos) / 1e9;
  }
}
