package dev.flywheel.model.serve;

import dev.flywheel.model.bundle.ModelMetadata;
import dev.flywheel.model.data.FeaturePipeline;
import dev.flywheel.model.serve.capture.TrafficCapture;
import dev.flywheel.model.serve.grpc.GrpcTransport;
import dev.flywheel.model.serve.http.HttpTransport;
import java.io.IOException;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;

/**
 * The model server for one model — the Open Inference Protocol (KServe v2 REST, and gRPC when asked), /v1/feedback
 * for delayed labels, /metrics for Prometheus — and its life cycle: start, warm-up (then ready), graceful shutdown. The pieces:
 * {@link Router} (paths to endpoints), {@link InferenceEndpoint} (JSON in and out of {@link InferenceFlow}, the
 * inference path both protocols share: admission, parsing, scoring, answering), {@link FeedbackEndpoint},
 * {@link ProtocolMetadata}; requests are read and answered on the transports' event loops, the model runs on
 * inference threads ({@link ModelScoring}).
 */
public final class ModelServer implements AutoCloseable {
  private final ServerSettings settings;
  private final FeaturePipeline pipeline;
  private final Readiness readiness = new Readiness();
  private final Admission admission;
  private final ModelScoring scoring;
  private final InferenceFlow inference;
  private final ModelService service;
  private final Router router;
  private final TrafficCapture capture;
  private HttpTransport http;
  private GrpcTransport grpc;

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
    this.pipeline = new FeaturePipeline(metadata.features());
    this.capture = capture;
    this.admission = new Admission(settings.maxConcurrentRequests());
    DriftMonitor drift = new DriftMonitor(metadata, settings.driftWindow());
    FeedbackTracker feedback = new FeedbackTracker(100_000, settings.feedbackWindow());
    ServerMetrics metrics = new ServerMetrics(settings.modelName(), settings.modelVersion(), digest, engine, metadata, drift, feedback,
        admission::inFlight);
    metrics.watchCapture(capture);
    this.scoring = new ModelScoring(scorer, settings, admission, metrics);
    this.inference = new InferenceFlow(settings, metadata, readiness, admission, scoring, drift, feedback, capture, metrics);
    ProtocolMetadata documents = new ProtocolMetadata(settings, metadata);
    this.service = new ModelService(settings, readiness, documents, inference);
    this.router = new Router(settings, service, readiness, documents, new InferenceEndpoint(settings, metadata, inference),
        new FeedbackEndpoint(metadata, feedback, capture, metrics, settings.maxRequestBytes()), metrics);
  }

  /** Binds the port and starts answering (not ready until {@link #warmUpAndMarkReady()}); returns the bound port. */
  public int start() throws IOException {
    http = new HttpTransport(settings.transport(), router::handle);
    return http.start();
  }

  /**
   * Also serves the Open Inference Protocol over gRPC ({@link GrpcTransport}) on the same host, sharing everything
   * with REST; returns the bound port. Call after {@link #start()}.
   */
  public int startGrpc(int port) throws IOException {
    grpc = new GrpcTransport(settings.host(), port, service);
    return grpc.start();
  }

  /** Runs one inference through the same path as requests; the server is ready only if it succeeds. */
  public void warmUpAndMarkReady() throws Exception {
    float[][] row = {pipeline.encode(pipeline.typicalRow())};
    scoring.choosePlacement(row[0]);
    float[][] scores = scoring.score(row, () -> {}).get(30, TimeUnit.SECONDS);
    for (float s : scores[0]) {
      if (!Float.isFinite(s)) {
        throw new IllegalStateException("warm-up inference gave " + s);
      }
    }
    readiness.markWarmedUp();
  }

  /** Where the model runs (inference threads or the I/O threads) and why; known after the warm-up. */
  public String inferencePlacement() {
    return scoring.placement();
  }

  /** Ready: the model is loaded, warm-up passed, and the server is not draining for shutdown. */
  public boolean isReady() {
    return readiness.isReady();
  }

  /**
   * Graceful shutdown: readiness turns false (so Kubernetes stops routing here); the transport serves on through the
   * drain grace, then answers every request in progress (up to the shutdown grace) and closes ({@link HttpTransport#close()});
   * then inference stops and capture writes what it holds.
   */
  @Override
  public void close() {
    readiness.startDraining();
    if (http != null) {
      http.close();
    }
    if (grpc != null) {
      grpc.close();
    }
    readiness.stopServing();
    scoring.close();
    inference.close();
    capture.close();
  }
}
