package dev.flywheel.model.serve;

import dev.flywheel.model.bundle.ModelMetadata;
import dev.flywheel.model.data.FeaturePipeline;
import dev.flywheel.model.serve.capture.TrafficCapture;
import dev.flywheel.model.serve.http.HttpCall;
import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * POST /v2/models/{name}/infer: admits the request, parses and checks it on the event loop, hands its rows to the
 * model, and answers when the scores come back — or 503 when the request timeout passes first. Rows the model
 * cannot score (a non-finite output) are refused with 400 and recorded nowhere, so no input can poison a metric. A request holds its
 * admission place until its inference is done or skipped, so a stuck model fills the server (429s), not its memory.
 */
final class InferenceEndpoint implements AutoCloseable {
  private final ServerSettings settings;
  private final Readiness readiness;
  private final Admission admission;
  private final InferenceRequestReader reader;
  private final FeaturePipeline pipeline;
  private final ModelScoring scoring;
  private final RequestTimeouts timeouts;
  private final InferenceResponseWriter writer;
  private final DriftMonitor drift;
  private final FeedbackTracker feedback;
  private final TrafficCapture capture;
  private final ServerMetrics metrics;
  private final String idPrefix = Long.toHexString(System.nanoTime() ^ Double.doubleToLongBits(Math.random()));
  private final AtomicLong ids = new AtomicLong();

  InferenceEndpoint(ServerSettings settings, ModelMetadata metadata, Readiness readiness, Admission admission, ModelScoring scoring,
      DriftMonitor drift, FeedbackTracker feedback, TrafficCapture capture, ServerMetrics metrics) {
    this.settings = settings;
    this.readiness = readiness;
    this.admission = admission;
    this.reader = new InferenceRequestReader(metadata.features(), settings.maxRowsPerRequest(), InferenceResponseWriter.outputNames(metadata));
    this.pipeline = new FeaturePipeline(metadata.features());
    this.scoring = scoring;
    this.timeouts = new RequestTimeouts(settings.requestTimeout().toNanos());
    this.writer = new InferenceResponseWriter(settings.modelName(), settings.modelVersion(), metadata);
    this.drift = drift;
    this.feedback = feedback;
    this.capture = capture;
    this.metrics = metrics;
  }

  void handle(HttpCall call) {
    long started = System.nanoTime();
    if (!readiness.modelLoaded()) {
      metrics.error("not_ready");
      metrics.request("error", seconds(started));
      ServerJson.error(call, 503, "model is not ready yet");
      return;
    }
    if (!admission.tryAdmit()) {
      metrics.error("overloaded");
      metrics.request("overloaded", seconds(started));
      ServerJson.error(call, 429, "server is at its limit of " + admission.limit() + " concurrent requests; retry later", "Retry-After", "1");
      return;
    }
    InferenceRequestReader.Parsed request;
    float[][] encoded;
    try {
      request = reader.read(RequestBody.of(call, settings.maxRequestBytes()));
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
      admission.parsed();
    }
    CompletableFuture<float[][]> scores = scoring.score(encoded, admission::releasePlace);
    AtomicBoolean settled = new AtomicBoolean();
    if (!scores.isDone()) {
      timeouts.watch(settled, () -> {
        metrics.error("timeout");
        ServerJson.error(call, 503, "inference did not finish within " + settings.requestTimeout().toMillis() + " ms; retry later");
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
          ServerJson.error(call, 500, "inference failed");
        } else if (!allFinite(s)) {
          outcome = "bad_request";
          metrics.error("non_finite_output");
          ServerJson.error(call, 400, "the model's output for these inputs is not a finite number (inputs far outside the range the"
              + " model was trained on); nothing was recorded");
        } else {
          answer(call, request, s);
        }
      } catch (IOException | RuntimeException e) {
        outcome = "error";
        ServerJson.error(call, 500, "internal error: " + e.getClass().getSimpleName());
      } finally {
        finish(started, outcome);
      }
    });
  }

  /** Records the scored rows (drift, capture, feedback) and sends the answer. */
  private void answer(HttpCall call, InferenceRequestReader.Parsed request, float[][] scores) throws IOException {
    drift.observe(request.rows(), scores);
    String id = request.id() != null ? request.id() : idPrefix + "-" + ids.incrementAndGet();
    capture.scored(id, request.rows());
    InferenceResponseWriter.Written written = writer.write(id, scores, request.outputs());
    feedback.remember(id, written.prediction());
    call.respond(200, ServerJson.CONTENT_TYPE, written.body());
  }

  /** Scores that can be answered as JSON numbers and recorded in metrics: no NaN, no infinity. */
  private static boolean allFinite(float[][] scores) {
    for (float[] row : scores) {
      for (float score : row) {
        if (!Float.isFinite(score)) {
          return false;
        }
      }
    }
    return true;
  }

  /** Answers an admitted request that never reached the model, and frees its place. */
  private void refuse(HttpCall call, long started, String outcome, String reason, int status, String message) {
    metrics.error(reason);
    ServerJson.error(call, status, message);
    finish(started, outcome);
    admission.releasePlace();
  }

  /** A request is answered and counted. */
  private void finish(long started, String outcome) {
    admission.answered();
    metrics.request(outcome, seconds(started));
  }

  private static double seconds(long startedNanos) {
    return (System.nanoTime() - startedNanos) / 1e9;
  }

  @Override
  public void close() {
    timeouts.close();
  }
}
