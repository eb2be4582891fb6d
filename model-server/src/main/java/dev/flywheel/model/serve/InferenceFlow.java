package dev.flywheel.model.serve;

import dev.flywheel.model.bundle.ModelMetadata;
import dev.flywheel.model.data.FeaturePipeline;
import dev.flywheel.model.serve.capture.TrafficCapture;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The path of one infer request, the same for every wire protocol (REST and gRPC): admits it, parses and checks it
 * on the calling thread, hands its rows to the model, records what was scored (drift, capture, feedback ids) and
 * answers through the protocol's {@link Responder} when the scores come back — or refuses it (503 when the request
 * timeout passes first; 400 when the model's output for the rows is not finite, which is then recorded nowhere, so no
 * input can poison a metric). A request holds its admission place until its inference is done or skipped, so a stuck
 * model fills the server (429s), not its memory.
 */
public final class InferenceFlow implements AutoCloseable {
  /** How a protocol answers one request; exactly one of the two is called, once. */
  public interface Responder {
    /** @param outputs the outputs the request asked for, in the order to answer them (all of them when it named none) */
    void answer(InferenceResult result, List<String> outputs) throws IOException;

    void refuse(Refusal refusal);
  }

  /**
   * Why a request is not answered with scores.
   *
   * @param status the HTTP status REST answers (400, 404, 413, 429, 500, 503); other protocols map it to theirs
   * @param reason the label of flywheel_request_errors_total
   */
  public record Refusal(int status, String reason, String message) {}

  /** Reads a request into rows, after it was admitted. */
  interface Parser {
    InferenceRequestReader.Parsed parse() throws BadRequest;
  }

  private final ServerSettings settings;
  private final ModelMetadata metadata;
  private final Readiness readiness;
  private final Admission admission;
  private final TensorRows tensorRows;
  private final FeaturePipeline pipeline;
  private final ModelScoring scoring;
  private final RequestTimeouts timeouts;
  private final DriftMonitor drift;
  private final FeedbackTracker feedback;
  private final TrafficCapture capture;
  private final ServerMetrics metrics;
  private final String idPrefix = Long.toHexString(System.nanoTime() ^ Double.doubleToLongBits(Math.random()));
  private final AtomicLong ids = new AtomicLong();
  private final List<String> allOutputs;

  InferenceFlow(ServerSettings settings, ModelMetadata metadata, Readiness readiness, Admission admission, ModelScoring scoring,
      DriftMonitor drift, FeedbackTracker feedback, TrafficCapture capture, ServerMetrics metrics) {
    this.settings = settings;
    this.metadata = metadata;
    this.readiness = readiness;
    this.admission = admission;
    this.tensorRows = new TensorRows(metadata.features(), settings.maxRowsPerRequest());
    this.pipeline = new FeaturePipeline(metadata.features());
    this.scoring = scoring;
    this.timeouts = new RequestTimeouts(settings.requestTimeout().toNanos());
    this.drift = drift;
    this.feedback = feedback;
    this.capture = capture;
    this.metrics = metrics;
    this.allOutputs = InferenceResponseWriter.outputNames(metadata);
  }

  /** The rows of the model's features, from any protocol's tensors, with the same checks as every protocol. */
  TensorRows tensorRows() {
    return tensorRows;
  }

  /** Decodes a request's input tensors (after it was admitted, so that decoding is within the admission limit). */
  public interface TensorSource {
    List<? extends InputTensor> tensors() throws BadRequest;
  }

  /**
   * Infers a request of a protocol other than REST, whose tensors the source decodes.
   *
   * @param id the client's request id, or null or empty for none (then the answer carries a new one)
   * @param outputs the names of the outputs the request asks for, in its order (checked as REST checks them); empty for all
   */
  public void infer(String id, TensorSource inputs, List<String> outputs, Responder responder) {
    infer(() -> {
      List<String> chosen = RequestedOutputs.choose(outputs, allOutputs);
      return new InferenceRequestReader.Parsed(checkedId(id == null || id.isEmpty() ? null : id), tensorRows.rows(inputs.tensors()), chosen);
    }, responder);
  }

  /** A client's request id, if it is one the server keeps (at most 256 characters). */
  static String checkedId(String id) throws BadRequest {
    if (id != null && id.length() > 256) {
      throw BadRequest.of("invalid_id", "\"id\" must be a string of at most 256 characters");
    }
    return id;
  }

  void infer(Parser parser, Responder responder) {
    long started = System.nanoTime();
    if (!readiness.modelLoaded()) {
      metrics.error("not_ready");
      metrics.request("error", seconds(started));
      responder.refuse(new Refusal(503, "not_ready", "model is not ready yet"));
      return;
    }
    if (!admission.tryAdmit()) {
      metrics.error("overloaded");
      metrics.request("overloaded", seconds(started));
      responder.refuse(new Refusal(429, "overloaded", "server is at its limit of " + admission.limit() + " concurrent requests; retry later"));
      return;
    }
    InferenceRequestReader.Parsed request;
    float[][] encoded;
    try {
      request = parser.parse();
      encoded = new float[request.rows().length][];
      for (int r = 0; r < encoded.length; r++) {
        encoded[r] = pipeline.encode(request.rows()[r]);
      }
    } catch (BadRequest e) {
      refuse(responder, started, "bad_request", new Refusal(e.status(), e.reason(), e.getMessage()));
      return;
    } catch (RuntimeException e) {
      refuse(responder, started, "error", new Refusal(500, "internal", "internal error: " + e.getClass().getSimpleName()));
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
        responder.refuse(new Refusal(503, "timeout", "inference did not finish within " + settings.requestTimeout().toMillis() + " ms; retry later"));
        finish(started, "timeout");
        scores.cancel(false); // a queued request is then skipped by the inference threads
      });
    }
    scores.whenComplete((s, failure) -> {
      if (!settled.compareAndSet(false, true)) {
        return; // refused with 503 already
      }
      String outcome = "ok";
      try {
        if (failure != null) {
          outcome = "error";
          metrics.error("inference_failed");
          responder.refuse(new Refusal(500, "inference_failed", "inference failed"));
        } else if (!allFinite(s)) {
          outcome = "bad_request";
          metrics.error("non_finite_output");
          responder.refuse(new Refusal(400, "non_finite_output", "the model's output for these inputs is not a finite number (inputs far"
              + " outside the range the model was trained on); nothing was recorded"));
        } else {
          responder.answer(record(request, s), request.outputs());
        }
      } catch (IOException | RuntimeException e) {
        outcome = "error";
        responder.refuse(new Refusal(500, "internal", "internal error: " + e.getClass().getSimpleName()));
      } finally {
        finish(started, outcome);
      }
    });
  }

  /** Records the scored rows (drift, capture, feedback) under the request's id, and gives the answer. */
  private InferenceResult record(InferenceRequestReader.Parsed request, float[][] scores) {
    drift.observe(request.rows(), scores);
    String id = request.id() != null ? request.id() : idPrefix + "-" + ids.incrementAndGet();
    capture.scored(id, request.rows());
    InferenceResult result = InferenceResult.of(id, scores, metadata.isClassification(), metadata.classes());
    feedback.remember(id, result.prediction());
    return result;
  }

  /** Scores that can be answered as numbers and recorded in metrics: no NaN, no infinity. */
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
  private void refuse(Responder responder, long started, String outcome, Refusal refusal) {
    metrics.error(refusal.reason());
    responder.refuse(refusal);
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
