package dev.flywheel.model.serve;

import dev.flywheel.model.serve.http.HttpCall;
import java.io.IOException;
import java.util.HashSet;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Routes each HTTP request to its endpoint: health, server and model metadata, infer, feedback and /metrics.
 * Unknown paths and models are 404, a wrong method 405 (with Allow); an unexpected failure is a JSON 500, never a
 * stack trace.
 */
final class Router {
  private static final Pattern MODEL_PATH = Pattern.compile("^/v2/models/([^/]+)(?:/versions/([^/]+))?(/ready|/infer)?$");

  private final ServerSettings settings;
  private final ModelService service;
  private final Readiness readiness;
  private final ProtocolMetadata documents;
  private final InferenceEndpoint inference;
  private final FeedbackEndpoint feedback;
  private final ServerMetrics metrics;
  /** The infer paths of the served model, which the pattern would route to infer: exact matches skip the pattern. */
  private final Set<String> inferPaths;

  Router(ServerSettings settings, ModelService service, Readiness readiness, ProtocolMetadata documents, InferenceEndpoint inference, FeedbackEndpoint feedback,
      ServerMetrics metrics) {
    this.settings = settings;
    this.service = service;
    this.readiness = readiness;
    this.documents = documents;
    this.inference = inference;
    this.inferPaths = inferPaths(settings.modelName(), settings.modelVersion());
    this.feedback = feedback;
    this.metrics = metrics;
  }

  void handle(HttpCall call) {
    try {
      String path = call.path();
      switch (path) {
        case "/v2/health/live" -> get(call, () -> ServerJson.reply(call, 200, ServerJson.object().put("live", true)));
        case "/v2/health/ready" -> get(call, () -> ServerJson.reply(call, readyStatus(), ServerJson.object().put("ready", readiness.isReady())));
        case "/v2", "/v2/" -> get(call, () -> ServerJson.reply(call, 200, documents.server()));
        case "/metrics" -> get(call, () -> call.respond(200, ServerMetrics.CONTENT_TYPE, metrics.scrape()));
        case "/v1/feedback" -> post(call, () -> feedback.handle(call));
        default -> model(call, path);
      }
    } catch (IOException | RuntimeException e) {
      ServerJson.error(call, 500, "internal error: " + e.getClass().getSimpleName());
    }
  }

  private void model(HttpCall call, String path) throws IOException {
    if (inferPaths.contains(path)) { // the hot path, without a regular expression
      post(call, () -> inference.handle(call));
      return;
    }
    Matcher m = MODEL_PATH.matcher(path);
    if (!m.matches()) {
      ServerJson.error(call, 404, "no such endpoint: " + path);
      return;
    }
    String name = m.group(1);
    String version = m.group(2);
    String unknown = service.unknownModel(name, version);
    if (unknown != null) {
      ServerJson.error(call, 404, unknown);
      return;
    }
    String action = m.group(3);
    if (action == null) {
      get(call, () -> ServerJson.reply(call, 200, documents.model()));
    } else if (action.equals("/ready")) {
      get(call, () -> ServerJson.reply(call, readyStatus(), ServerJson.object().put("name", settings.modelName()).put("ready", readiness.isReady())));
    } else {
      post(call, () -> inference.handle(call));
    }
  }

  private static Set<String> inferPaths(String name, String version) {
    Set<String> paths = new HashSet<>();
    if (name != null && !name.isEmpty() && name.indexOf('/') < 0) {
      paths.add("/v2/models/" + name + "/infer");
      if (version != null && !version.isEmpty() && version.indexOf('/') < 0) {
        paths.add("/v2/models/" + name + "/versions/" + version + "/infer");
      }
    }
    return Set.copyOf(paths);
  }

  private int readyStatus() {
    return readiness.isReady() ? 200 : 503;
  }

  private interface Action {
    void run() throws IOException;
  }

  private static void get(HttpCall call, Action action) throws IOException {
    allow(call, call.method().equals("GET") || call.method().equals("HEAD"), "GET", action);
  }

  private static void post(HttpCall call, Action action) throws IOException {
    allow(call, call.method().equals("POST"), "POST", action);
  }

  private static void allow(HttpCall call, boolean allowed, String method, Action action) throws IOException {
    if (allowed) {
      action.run();
    } else {
      ServerJson.error(call, 405, "use " + method + " for " + call.path(), "Allow", method);
    }
  }
}
