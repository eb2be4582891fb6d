package dev.flywheel.model.serve;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flywheel.model.bundle.ModelBundle;
import dev.flywheel.model.data.Task;
import dev.flywheel.model.serve.capture.CaptureSettings;
import dev.flywheel.model.serve.capture.TrafficCapture;
import dev.flywheel.model.testdata.SyntheticData;
import dev.flywheel.model.train.TrainingOptions;
import dev.flywheel.model.train.TrainingRun;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** /metrics passes Prometheus' own linter (promtool check metrics) and carries the model metrics users query. */
class MetricsFormatTest {
  @TempDir Path tmp;

  @Test
  void metricsPassPromtoolAndNameEveryModelMetric() throws Exception {
    TrainingRun.run(SyntheticData.prices(tmp, 300, 1), "price", null, Task.regression,
        new TrainingOptions(List.of(8), 3, 32, 0.01, 1, 0.2), tmp.resolve("bundle"));
    String text;
    try (ModelBundle bundle = ModelBundle.open(tmp.resolve("bundle"), null, "auto");
        ModelServer server = new ModelServer(ServerSettings.defaults("127.0.0.1", 0, "prices", "2"), bundle.metadata(),
            bundle.digest(), bundle.engine(), bundle::score,
            TrafficCapture.start(CaptureSettings.defaults(tmp.resolve("capture")), bundle.metadata(), System.err))) {
      ServerHarness http = new ServerHarness(server.start());
      server.warmUpAndMarkReady();
      String body = "{\"id\": \"r1\", \"inputs\": [{\"name\": \"x\", \"shape\": [1, 2], \"datatype\": \"FP32\", \"data\": [80, 3]}]}";
      assertThat(http.post("/v2/models/prices/infer", body).statusCode()).isEqualTo(200);
      assertThat(http.post("/v1/feedback", "{\"id\": \"r1\", \"label\": 250000}").statusCode()).isEqualTo(200);
      assertThat(http.post("/v2/models/prices/infer", "{").statusCode()).isEqualTo(400);
      text = http.get("/metrics").body();
    }
    for (String metric : List.of("flywheel_requests_total", "flywheel_request_errors_total", "flywheel_request_duration_seconds_bucket",
        "flywheel_batch_size_rows_bucket", "flywheel_inference_rows_total", "flywheel_feature_drift_psi", "flywheel_prediction_drift_psi",
        "flywheel_prediction_mean", "flywheel_drift_window_rows", "flywheel_feedback_total", "flywheel_online_mae",
        "flywheel_model_info", "flywheel_capture_rows_total", "flywheel_capture_pending_rows", "flywheel_capture_shards_total",
        "jvm_memory_used_bytes")) {
      assertThat(text).as(metric).containsPattern("(?m)^" + metric + "\\{");
    }
    assertThat(text).contains("model=\"prices\"").contains("version=\"2\"");

    Path promtool = Path.of("/usr/bin/promtool");
    if (!Files.isExecutable(promtool) && System.getenv("CI") == null) {
      return; // developers without Prometheus installed; CI installs it (.ci/run) and always runs the check
    }
    Process check = new ProcessBuilder(promtool.toString(), "check", "metrics").redirectErrorStream(true).start();
    check.getOutputStream().write(text.getBytes(StandardCharsets.UTF_8));
    check.getOutputStream().close();
    String report = new String(check.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(check.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(report).as("promtool check metrics").isBlank();
    assertThat(check.exitValue()).isZero();
  }
}
