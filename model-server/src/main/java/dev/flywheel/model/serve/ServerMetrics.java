package dev.flywheel.model.serve;

import dev.flywheel.model.bundle.ModelMetadata;
import io.prometheus.metrics.core.datapoints.CounterDataPoint;
import io.prometheus.metrics.core.datapoints.DistributionDataPoint;
import dev.flywheel.model.serve.capture.CaptureCounts;
import dev.flywheel.model.serve.capture.TrafficCapture;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.DoubleSupplier;
import java.util.function.IntSupplier;

/**
 * The model server's Prometheus metrics, every model metric labelled with model and version:
 * flywheel_requests_total{outcome}, flywheel_request_errors_total{reason}, flywheel_request_duration_seconds,
 * flywheel_batch_size_rows, flywheel_inference_rows_total, flywheel_feature_drift_psi{feature},
 * flywheel_prediction_drift_psi, flywheel_prediction_mean, flywheel_drift_window_rows, flywheel_feedback_total{result},
 * flywheel_online_accuracy (classification) or flywheel_online_mae (regression), flywheel_feedback_window_rows,
 * flywheel_in_flight_requests, flywheel_model_info, and the JVM's metrics; with traffic capture on also
 * flywheel_capture_rows_total{result}, flywheel_capture_pending_rows and flywheel_capture_shards_total.
 */
final class ServerMetrics {
  static final String CONTENT_TYPE = PrometheusTextFormatWriter.CONTENT_TYPE;

  private final PrometheusRegistry registry = new PrometheusRegistry();
  private final PrometheusTextFormatWriter writer = PrometheusTextFormatWriter.create();
  private final String model;
  private final String version;
  private final Counter requests;
  private final Counter errors;
  private final Counter feedback;
  private final ConcurrentHashMap<String, CounterDataPoint> outcomes = new ConcurrentHashMap<>();
  private final DistributionDataPoint latency;
  private final DistributionDataPoint batchSize;
  private final CounterDataPoint rows;

  ServerMetrics(String model, String version, String digest, String engine, ModelMetadata metadata, DriftMonitor drift,
      FeedbackTracker feedbackTracker, IntSupplier inFlight) {
    this.model = model;
    this.version = version;
    requests = Counter.builder().name("flywheel_requests_total").help("Inference requests by outcome: ok, bad_request, overloaded, timeout, error.")
        .labelNames("model", "version", "outcome").register(registry);
    for (String outcome : List.of("ok", "bad_request", "overloaded", "timeout", "error")) {
      outcomes.put(outcome, requests.labelValues(model, version, outcome));
    }
    errors = Counter.builder().name("flywheel_request_errors_total").help("Refused or failed inference requests by reason.")
        .labelNames("model", "version", "reason").register(registry);
    latency = Histogram.builder().name("flywheel_request_duration_seconds").help("Time from reading an inference request to answering it.")
        .classicOnly().classicUpperBounds(0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10)
        .labelNames("model", "version").register(registry).labelValues(model, version);
    batchSize = Histogram.builder().name("flywheel_batch_size_rows").help("Rows in each inference the model ran (dynamic batching).")
        .classicOnly().classicUpperBounds(1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024)
        .labelNames("model", "version").register(registry).labelValues(model, version);
    rows = Counter.builder().name("flywheel_inference_rows_total").help("Rows scored by the model.")
        .labelNames("model", "version").register(registry).labelValues(model, version);
    feedback = Counter.builder().name("flywheel_feedback_total").help("Ground-truth labels by result: correct, incorrect, recorded (regression); refused: unknown_id (404), replayed (409).")
        .labelNames("model", "version", "result").register(registry);
    GaugeWithCallback.builder().name("flywheel_feature_drift_psi")
        .help("Population stability index of each feature over the drift window against the training baseline.")
        .labelNames("model", "version", "feature")
        .callback(cb -> {
          for (int i = 0; i < drift.features().size(); i++) {
            cb.call(drift.featurePsi(i), model, version, drift.features().get(i));
          }
        }).register(registry);
    gauge("flywheel_prediction_drift_psi", "Population stability index of the predictions over the drift window against the training baseline.",
        drift::predictionPsi);
    gauge("flywheel_prediction_mean", "Mean prediction over the drift window (binary: probability of the positive class; regression: value).",
        drift::predictionMean);
    gauge("flywheel_drift_window_rows", "Rows in the drift window (the most recent scored rows).", drift::rows);
    boolean classification = metadata.isClassification();
    gauge(classification ? "flywheel_online_accuracy" : "flywheel_online_mae",
        classification ? "Accuracy of predictions whose ground truth arrived through /v1/feedback, over the feedback window."
            : "Mean absolute error of predictions whose ground truth arrived through /v1/feedback, over the feedback window.",
        feedbackTracker::windowMean);
    gauge("flywheel_feedback_window_rows", "Labelled rows in the feedback window.", feedbackTracker::windowRows);
    GaugeWithCallback.builder().name("flywheel_in_flight_requests").help("Inference requests admitted and not yet answered.")
        .labelNames("model", "version").callback(cb -> cb.call(inFlight.getAsInt(), model, version)).register(registry);
    Gauge.builder().name("flywheel_model_info").help("The model being served (value 1).")
        .labelNames("model", "version", "digest", "engine", "task", "format").register(registry)
        .labelValues(model, version, digest, engine, metadata.task(), metadata.format()).set(1);
    JvmMetrics.builder().register(registry);
  }

  /** Registers the capture metrics when capture is on. */
  void watchCapture(TrafficCapture capture) {
    if (!capture.enabled()) {
      return;
    }
    CaptureCounts counts = capture.counts();
    CounterWithCallback.builder().name("flywheel_capture_rows_total")
        .help("Rows held for capture by what became of them: captured (in a closed shard), expired (no label in time), dropped, failed.")
        .labelNames("model", "version", "result")
        .callback(cb -> CaptureCounts.RESULTS.forEach(result -> cb.call(counts.rows(result), model, version, result))).register(registry);
    gauge("flywheel_capture_pending_rows", "Scored rows held in memory waiting for their labels.", capture::pendingRows);
    CounterWithCallback.builder().name("flywheel_capture_shards_total").help("Capture shards closed (renamed from .csv.tmp to .csv).")
        .labelNames("model", "version").callback(cb -> cb.call(counts.shards(), model, version)).register(registry);
  }

  private void gauge(String name, String help, DoubleSupplier value) {
    GaugeWithCallback.builder().name(name).help(help).labelNames("model", "version")
        .callback(cb -> {
          double v = value.getAsDouble();
          if (!Double.isNaN(v)) {
            cb.call(v, model, version);
          }
        }).register(registry);
  }

  void request(String outcome, double seconds) {
    outcomes.computeIfAbsent(outcome, o -> requests.labelValues(model, version, o)).inc();
    latency.observe(seconds);
  }

  void error(String reason) {
    errors.labelValues(model, version, reason).inc();
  }

  void batch(int size) {
    batchSize.observe(size);
    rows.inc(size);
  }

  void feedback(String result, long count) {
    feedback.labelValues(model, version, result).inc(count);
  }

  byte[] scrape() throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream(16_384);
    writer.write(out, registry.scrape());
    return out.toByteArray();
  }
}
