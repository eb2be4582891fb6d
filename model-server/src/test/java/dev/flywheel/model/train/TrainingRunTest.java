package dev.flywheel.model.train;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flywheel.model.bundle.BundleDigest;
import dev.flywheel.model.bundle.ModelBundle;
import dev.flywheel.model.bundle.ModelMetadata;
import dev.flywheel.model.data.Task;
import dev.flywheel.model.testdata.SyntheticData;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Real DJL training of all three tasks on generated data, checked through the bundle it writes. */
class TrainingRunTest {
  @TempDir Path tmp;

  private static TrainingOptions options(int epochs) {
    return new TrainingOptions(List.of(16, 8), epochs, 32, 0.01, 7, 0.2);
  }

  @Test
  void binaryClassificationLearnsTheSignalAndWritesAVerifiableBundle() throws Exception {
    Path csv = SyntheticData.churn(tmp, 1500, 1);
    Path out = tmp.resolve("bundle");
    TrainingRun.Result result = TrainingRun.run(csv, "churned", null, Task.binaryClassification, options(15), out);

    assertThat(result.metrics()).containsKeys("accuracy", "auc", "f1");
    assertThat(result.metrics().get("auc")).as("AUC on held-out rows").isGreaterThan(0.75);
    assertThat(result.trainingRows()).isEqualTo(1200);
    assertThat(result.validationRows()).isEqualTo(300);
    assertThat(result.classes()).containsExactly("no", "yes");
    assertThat(BundleDigest.verify(out, result.bundleDigest())).isEqualTo(result.bundleDigest());

    ModelMetadata metadata = ModelBundle.readMetadata(out);
    assertThat(metadata.features()).extracting(f -> f.name() + ":" + f.type())
        .containsExactly("tenure_months:numeric", "monthly_charges:numeric", "support_calls:numeric", "contract:categorical");
    assertThat(metadata.features().get(3).vocabulary()).containsExactlyInAnyOrder("month-to-month", "one-year", "two-year");
    assertThat(metadata.baseline().features()).containsKeys("tenure_months", "contract");
    assertThat(metadata.baseline().prediction().proportions()).isNotEmpty();
    assertThat(metadata.lineage().datasetDigest()).isEqualTo(result.datasetDigest()).startsWith("sha256:");
    assertThat(metadata.lineage().engine()).startsWith("PyTorch");
  }

  @Test
  void multiclassAndRegressionReportTheirMetrics() throws Exception {
    TrainingRun.Result multi = TrainingRun.run(SyntheticData.species(tmp, 600, 2), "species", null,
        Task.multiclassClassification, options(20), tmp.resolve("species"));
    assertThat(multi.metrics()).containsKeys("accuracy", "macroF1");
    assertThat(multi.metrics().get("accuracy")).isGreaterThan(0.9);

    TrainingRun.Result regression = TrainingRun.run(SyntheticData.prices(tmp, 800, 3), "price", List.of("size_m2", "rooms"),
        Task.regression, options(30), tmp.resolve("prices"));
    assertThat(regression.metrics()).containsKeys("rmse", "mae", "r2");
    assertThat(regression.metrics().get("r2")).isGreaterThan(0.9);
  }

  @Test
  void trainedBundleLoadsAndScoresLikeTheTrainer() throws Exception {
    Path out = tmp.resolve("bundle");
    TrainingRun.run(SyntheticData.churn(tmp, 400, 4), "churned", null, Task.binaryClassification, options(5), out);
    try (ModelBundle bundle = ModelBundle.open(out, null, "PyTorch")) {
      float[][] scores = bundle.score(new float[][] {bundle.pipeline().encode(new Object[] {2.0, 90.0, 6.0, "month-to-month"}),
          bundle.pipeline().encode(new Object[] {70.0, 20.0, 0.0, "two-year"})});
      assertThat(scores[0][0]).isBetween(0f, 1f);
      assertThat(scores[0][0]).as("short tenure, many calls churns more").isGreaterThan(scores[1][0]);
    }
  }

  @Test
  void onnxExportComputesWhatPyTorchComputes() throws Exception {
    Path out = tmp.resolve("bundle");
    TrainingRun.run(SyntheticData.species(tmp, 300, 5), "species", null, Task.multiclassClassification, options(5), out);
    try (ModelBundle pytorch = ModelBundle.open(out, null, "PyTorch");
        ModelBundle onnx = ModelBundle.open(out, null, "OnnxRuntime")) {
      assertThat(pytorch.engine()).isEqualTo("PyTorch");
      assertThat(onnx.engine()).isEqualTo("OnnxRuntime");
      java.util.Random random = new java.util.Random(1);
      float[][] rows = new float[64][];
      for (int i = 0; i < rows.length; i++) {
        rows[i] = pytorch.pipeline().encode(new Object[] {random.nextGaussian() * 3, random.nextGaussian() * 3});
      }
      float[][] expected = pytorch.score(rows);
      float[][] actual = onnx.score(rows);
      for (int i = 0; i < rows.length; i++) {
        for (int c = 0; c < 3; c++) {
          assertThat(actual[i][c]).isCloseTo(expected[i][c], org.assertj.core.data.Offset.offset(1e-5f));
        }
      }
    }
  }
}
