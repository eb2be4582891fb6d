package dev.flywheel.model.serve;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.flywheel.model.bundle.ModelMetadata;
import dev.flywheel.model.data.FeaturePipeline;
import dev.flywheel.model.data.FeatureSpec;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The HTTP model server: the Open Inference Protocol (KServe v2 REST) for one model, /v1/feedback for delayed
 * labels, /metrics for Prometheus. Bad requests get a 4xx with {"error": "…"}; overload gets 429 at once and
 * slow inference 503, never an unbounded queue.
 */
public final class ModelServer implements AutoCloseable {
  static {
    // Headers and body go out as separate writes; without TCP_NODELAY, Nagle's algorithm and the client's
    // delayed ACK add ~40 ms to every response. Read once when the JDK's HTTP server first loads.
    System.setProperty("sun.net.httpserver.nodelay", "true");
  }

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
  private final Batcher batcher;
  private final String idPrefix = Long.toHexString(System.nanoTime() ^ Double.doubleToLongBits(Math.random()));
  private final AtomicLong ids = new AtomicLong();
  private final boolean classification;
  private volatile boolean ready;
  private volatile boolean draining;
  private HttpServer http;
  private ThreadPoolExecutor executor;

  /**
   * @param scorer encoded rows to scores (binary [p], multiclass probabilities, regression [value]); must be thread-safe
   */
  public ModelServer(ServerSettings settings, ModelMetadata metadata, String digest, String engine, UnaryOperator<float[][]> scorer) {
    this.settings = settings;
    this.metadata = metadata;
    this.pipeline = new FeaturePipeline(metadata.features());
    this.scorer = scorer;
    this.reader = new InferenceRequestReader(metadata.features(), settings.maxRowsPerRequest());
    this.drift = new DriftMonitor(metadata, settings.driftWindow());
    this.feedback = new FeedbackTracker(100_000, settings.feedbackWindow());
    this.classification = !"regression".equals(metadata.task());
    this.metrics = new ServerMetrics(settings.modelName(), settings.modelVersion(), digest, engine, metadata.task(),
        metadata.format(), drift, feedback, inFlight);
    this.admission = new Semaphore(settings.maxConcurrentRequests());
    this.batcher = settings.maxBatchSize() > 1
        ? new Batcher(scorer, settings.maxBatchSize(), settings.maxBatchDelay().toNanos(), settings.inferenceThreads(), inFlight, metrics::batch)
        : null;
  }

  /** Binds the port and starts answering (not ready until {@link #warmUpAndMarkReady()}); returns the bound port. */
  public int start() throws IOException {
    http = HttpServer.create(new InetSocketAddress(settings.host(), settings.port()), 1024);
    int threads = Math.min(settings.maxConcurrentRequests(), 1024) + 8;
    executor = new ThreadPoolExecutor(threads, threads, 60, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), r -> {
      Thread t = new Thread(r, "http");
      t.setDaemon(true);
      return t;
    });
    http.setExecutor(executor);
    http.createContext("/", this::handle);
    http.start();
    return http.getAddress().getPort();
  }

  /** Runs one inference through the same path as requests; the server is ready only if it succeeds. */
  public void warmUpAndMarkReady() throws Exception {
    float[][] row = {pipeline.encode(pipeline.typicalRow())};
    float[][] scores = batcher != null ? batcher.submit(row).get(30, TimeUnit.SECONDS) : scorer.apply(row);
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
   * Graceful shutdown: readiness turns false (so Kubernetes stops routing here) while requests keep being served
   * until none is in flight or the grace period ends; then the port closes. (JDK 17's HttpServer.stop(delay) waits
   * the whole delay even when idle, so the drain is done here and stop(0) closes.)
   */
  @Override
  public void close() {
    draining = true;
    long deadline = System.nanoTime() + settings.shutdownGrace().toNanos();
    while (inFlight.get() > 0 && System.nanoTime() < deadline) {
      try {
        Thread.sleep(5);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    ready = false;
    if (http != null) {
      http.stop(0);
    }
    if (batcher != null) {
      batcher.close();
    }
    if (executor != null) {
      executor.shutdown();
    }
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      String path = exchange.getRequestURI().getPath();
      String method = exchange.getRequestMethod();
      switch (path) {
        case "/v2/health/live" -> requireGet(exchange, method, () -> json(exchange, 200, object().put("live", true)));
        case "/v2/health/ready" -> requireGet(exchange, method, () -> json(exchange, isReady() ? 200 : 503, object().put("ready", isReady())));
        case "/v2" -> requireGet(exchange, method, () -> json(exchange, 200, serverMetadata()));
        case "/metrics" -> requireGet(exchange, method, () -> send(exchange, 200, ServerMetrics.CONTENT_TYPE, metrics.scrape()));
        case "/v1/feedback" -> requirePost(exchange, method, () -> feedback(exchange));
        default -> model(exchange, path, method);
      }
    } catch (RuntimeException e) {
      json(exchange, 500, object().put("error", "internal error: " + e.getClass().getSimpleName()));
    }
  }

  private void model(HttpExchange exchange, String path, String method) throws IOException {
    Matcher m = MODEL_PATH.matcher(path);
    if (!m.matches()) {
      error(exchange, 404, "no such endpoint: " + path);
      return;
    }
    String name = m.group(1);
    String version = m.group(2);
    if (!name.equals(settings.modelName()) || (version != null && !version.equals(settings.modelVersion()))) {
      error(exchange, 404, "model '" + name + "'" + (version == null ? "" : " version '" + version + "'")
          + " not found: this server serves model '" + settings.modelName() + "' version '" + settings.modelVersion() + "'");
      return;
    }
    String action = m.group(3);
    if (action == null) {
      requireGet(exchange, method, () -> json(exchange, 200, modelMetadata()));
    } else if (action.equals("/ready")) {
      requireGet(exchange, method, () -> json(exchange, isReady() ? 200 : 503, object().put("name", settings.modelName()).put("ready", isReady())));
    } else {
      requirePost(exchange, method, () -> infer(exchange));
    }
  }

  private void infer(HttpExchange exchange) throws IOException {
    long started = System.nanoTime();
    if (!ready) {
      metrics.error("not_ready");
      metrics.request("error", seconds(started));
      error(exchange, 503, "model is not ready yet");
      return;
    }
    if (!admission.tryAcquire()) {
      metrics.error("overloaded");
      metrics.request("overloaded", seconds(started));
      exchange.getResponseHeaders().set("Retry-After", "1");
      error(exchange, 429, "server is at its limit of " + settings.maxConcurrentRequests() + " concurrent requests; retry later");
      return;
    }
    inFlight.incrementAndGet();
    String outcome = "ok";
    try {
      InferenceRequestReader.Parsed request = reader.read(body(exchange));
      float[][] encoded = new float[request.rows().length][];
      for (int r = 0; r < encoded.length; r++) {
        encoded[r] = pipeline.encode(request.rows()[r]);
      }
      // Alone in flight, there is nothing to batch with: run inline and skip the hand-off to the batch worker.
      boolean alone = inFlight.get() == 1;
      float[][] scores = batcher != null && !alone
          ? batcher.submit(encoded).get(settings.requestTimeout().toNanos(), TimeUnit.NANOSECONDS)
          : scoreDirectly(encoded);
      drift.observe(request.rows(), scores);
      String id = request.id() != null ? request.id() : idPrefix + "-" + ids.incrementAndGet();
      send(exchange, 200, JSON_TYPE, response(id, scores));
    } catch (BadRequest e) {
      outcome = "bad_request";
      metrics.error(e.reason());
      error(exchange, e.status(), e.getMessage());
    } catch (TimeoutException e) {
      outcome = "timeout";
      metrics.error("timeout");
      error(exchange, 503, "inference did not finish within " + settings.requestTimeout().toMillis() + " ms; retry later");
    } catch (ExecutionException | RuntimeException e) {
      outcome = "error";
      metrics.error("inference_failed");
      error(exchange, 500, "inference failed");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      outcome = "error";
      error(exchange, 503, "server is shutting down");
    } finally {
      inFlight.decrementAndGet();
      admission.release();
      metrics.request(outcome, seconds(started));
    }
  }

  private float[][] scoreDirectly(float[][] encoded) {
    float[][] scores = scorer.apply(encoded);
    metrics.batch(encoded.length);
    return scores;
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

  private void feedback(HttpExchange exchange) throws IOException {
    JsonNode root;
    try {
      root = InferenceRequestReader.JSON.readTree(body(exchange));
    } catch (BadRequest e) {
      error(exchange, e.status(), e.getMessage());
      return;
    } catch (IOException e) {
      error(exchange, 400, "feedback body is not valid JSON");
      return;
    }
    List<JsonNode> items = new ArrayList<>();
    if (root != null && root.isArray()) {
      root.forEach(items::add);
    } else if (root != null && root.isObject()) {
      items.add(root);
    }
    if (items.isEmpty()) {
      error(exchange, 400, "feedback must be an object {\"id\": …, \"label\": …} or {\"id\": …, \"labels\": […]}, or an array of them");
      return;
    }
    List<double[]> outcomes = new ArrayList<>();
    ArrayNode unknown = InferenceRequestReader.JSON.createArrayNode();
    for (JsonNode item : items) {
      String id = item.path("id").isTextual() ? item.get("id").asText() : null;
      JsonNode labels = item.has("labels") ? item.get("labels") : item.has("label") ? InferenceRequestReader.JSON.createArrayNode().add(item.get("label")) : null;
      if (id == null || labels == null || !labels.isArray() || labels.isEmpty()) {
        error(exchange, 400, "each feedback item needs a string \"id\" and a \"label\" or a \"labels\" array");
        return;
      }
      FeedbackTracker.Prediction prediction = feedback.prediction(id);
      if (prediction == null) {
        unknown.add(id);
        continue;
      }
      if (labels.size() != prediction.size()) {
        error(exchange, 400, "request " + id + " scored " + prediction.size() + " rows but " + labels.size() + " labels were sent");
        return;
      }
      for (int i = 0; i < labels.size(); i++) {
        JsonNode label = labels.get(i);
        if (classification) {
          if (!label.isTextual() && !label.isNumber() && !label.isBoolean()) {
            error(exchange, 400, "label " + label + " is not a class name");
            return;
          }
          String text = label.asText();
          if (!metadata.classes().contains(text)) {
            error(exchange, 400, "label '" + text + "' is not one of the model's classes " + metadata.classes());
            return;
          }
          outcomes.add(new double[] {prediction.classes()[i].equals(text) ? 1 : 0});
        } else {
          if (!label.isNumber() || !Double.isFinite(label.asDouble())) {
            error(exchange, 400, "label " + label + " must be a finite number for a regression model");
            return;
          }
          outcomes.add(new double[] {Math.abs(prediction.values()[i] - label.asDouble())});
        }
      }
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
    json(exchange, 200, answer);
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

  private byte[] body(HttpExchange exchange) throws IOException, BadRequest {
    String length = exchange.getRequestHeaders().getFirst("Content-Length");
    if (length != null) {
      try {
        if (Long.parseLong(length.trim()) > settings.maxRequestBytes()) {
          throw tooLarge(exchange);
        }
      } catch (NumberFormatException e) {
        throw BadRequest.of("malformed_request", "Content-Length is not a number");
      }
    }
    try (InputStream in = exchange.getRequestBody()) {
      byte[] body = in.readNBytes(settings.maxRequestBytes() + 1);
      if (body.length > settings.maxRequestBytes()) {
        throw tooLarge(exchange);
      }
      return body;
    }
  }

  /**
   * Refuses an oversized body. Up to 16 MiB of it is read and discarded first (constant memory): a server that
   * answers while request bytes are still unread resets the connection, and the client never sees the 413.
   */
  private BadRequest tooLarge(HttpExchange exchange) throws IOException {
    try (InputStream in = exchange.getRequestBody()) {
      byte[] discard = new byte[8192];
      long left = 16L << 20;
      for (int n; left > 0 && (n = in.read(discard, 0, (int) Math.min(discard.length, left))) > 0; ) {
        left -= n;
      }
    }
    exchange.getResponseHeaders().set("Connection", "close");
    return new BadRequest(413, "too_large", "request body is larger than " + settings.maxRequestBytes() + " bytes");
  }

  private interface Action {
    void run() throws IOException;
  }

  private static void requireGet(HttpExchange exchange, String method, Action action) throws IOException {
    require(exchange, method.equals("GET") || method.equals("HEAD"), "GET", action);
  }

  private static void requirePost(HttpExchange exchange, String method, Action action) throws IOException {
    require(exchange, method.equals("POST"), "POST", action);
  }

  private static void require(HttpExchange exchange, boolean allowed, String allow, Action action) throws IOException {
    if (allowed) {
      action.run();
    } else {
      exchange.getResponseHeaders().set("Allow", allow);
      error(exchange, 405, "use " + allow + " for " + exchange.getRequestURI().getPath());
    }
  }

  private static ObjectNode object() {
    return InferenceRequestReader.JSON.createObjectNode();
  }

  private static void error(HttpExchange exchange, int status, String message) throws IOException {
    json(exchange, status, object().put("error", message));
  }

  private static void json(HttpExchange exchange, int status, JsonNode body) throws IOException {
    send(exchange, status, JSON_TYPE, InferenceRequestReader.JSON.writeValueAsBytes(body));
  }

  private static void send(HttpExchange exchange, int status, String contentType, byte[] body) throws IOException {
    exchange.getResponseHeaders().set("Content-Type", contentType);
    boolean head = exchange.getRequestMethod().equals("HEAD");
    exchange.sendResponseHeaders(status, head ? -1 : body.length);
    if (!head) {
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(body);
      }
    }
  }

  private static double seconds(long startedNanos) {
    return (System.nanoTime() - startedNanos) / 1e9;
  }
}
