package dev.flywheel.model.train;

import ai.djl.Model;
import ai.djl.engine.Engine;
import dev.flywheel.model.bundle.BundleDigest;
import dev.flywheel.model.bundle.Histogram;
import dev.flywheel.model.bundle.Json;
import dev.flywheel.model.bundle.ModelMetadata;
import dev.flywheel.model.data.DataError;
import dev.flywheel.model.data.Dataset;
import dev.flywheel.model.data.FeaturePipeline;
import dev.flywheel.model.data.Split;
import dev.flywheel.model.data.TabularData;
import dev.flywheel.model.data.Task;
import dev.flywheel.model.infer.ModelRunner;
import dev.flywheel.model.infer.OnnxExporter;
import dev.flywheel.model.infer.OutputDecoder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/** One training run: read and check the data, split, fit, train, evaluate, and write a bundle with its digest. */
public final class TrainingRun {
  /** The weights file that DJL writes for a model named "mlp" without an epoch. */
  public static final String PYTORCH_WEIGHTS = "mlp-0000.params";
  /** The same weights as an ONNX model, for ONNX Runtime. */
  public static final String ONNX_WEIGHTS = "model.onnx";

  private TrainingRun() {}

  /** What a run produced, as written to the termination log. */
  public record Result(
      String bundleDigest, String datasetDigest, Map<String, Double> metrics, int trainingRows, int validationRows,
      String task, List<String> classes, List<String> features) {}

  /** Trains on a local CSV file and writes the bundle into out, which must not exist or be empty. */
  public static Result run(Path csv, String label, List<String> features, Task task, TrainingOptions options, Path out)
      throws IOException {
    refuseNonEmpty(out);
    return run(Dataset.file(csv), label, features, task, options, out);
  }

  /** Trains on a dataset already read (one file, or several files and directories put together). */
  public static Result run(Dataset.Read dataset, String label, List<String> features, Task task, TrainingOptions options, Path out)
      throws IOException {
    refuseNonEmpty(out);
    String datasetDigest = dataset.digest();
    TabularData data = TabularData.from(dataset.table(), label, features, task);
    Split split = Split.of(data.size(), options.validationSplit(), options.seed());
    FeaturePipeline pipeline = FeaturePipeline.fit(data, split.train());
    float[][] trainX = pipeline.encode(data, split.train());
    float[][] validationX = pipeline.encode(data, split.validation());
    double[] trainY = pick(data.labels(), split.train());
    double[] validationY = pick(data.labels(), split.validation());

    ModelMetadata.Target target = task == Task.regression ? standardisation(trainY) : null;
    float[] targets = new float[trainY.length];
    for (int i = 0; i < trainY.length; i++) {
      targets[i] = (float) (target == null ? trainY[i] : (trainY[i] - target.mean()) / target.std());
    }
    ModelMetadata.Architecture architecture = MlpTrainer.architecture(task, pipeline.inputSize(), data.classes().size(), options);
    Path staging = Files.createTempDirectory(out.toAbsolutePath().getParent(), ".bundle-");
    try (Model model = MlpTrainer.train(trainX, targets, task, architecture, options);
        ModelRunner runner = ModelRunner.of(model)) {
      OutputDecoder decoder = new OutputDecoder(task.name(), ModelMetadata.LOGITS, target, data.classes().size());
      Map<String, Double> metrics = EvaluationMetrics.of(task, decoder.decode(runner.run(validationX)), validationY, data.classes().size());
      float[][] trainScores = decoder.decode(runner.run(trainX));

      model.save(staging, "mlp");
      OnnxExporter.export(model.getBlock(), staging.resolve(ONNX_WEIGHTS));
      Engine engine = Engine.getEngine(ModelRunner.PYTORCH);
      ModelMetadata metadata = new ModelMetadata(
          ModelMetadata.FORMAT_VERSION, "flywheel-mlp", task.name(), label,
          task.isClassification() ? data.classes() : null,
          pipeline.features(), architecture, ModelMetadata.LOGITS, null, target,
          Map.of(ModelRunner.PYTORCH, PYTORCH_WEIGHTS, ModelRunner.ONNX_RUNTIME, ONNX_WEIGHTS),
          new ModelMetadata.Baseline(featureBaselines(data, split.train(), pipeline), predictionBaseline(task, trainScores, data.classes())),
          metrics,
          new ModelMetadata.Lineage(datasetDigest, options.seed(), options.asMap(), split.train().length,
              split.validation().length, Engine.getDjlVersion(), engine.getEngineName() + " " + engine.getVersion()));
      Json.MAPPER.writerWithDefaultPrettyPrinter().writeValue(staging.resolve(ModelMetadata.FILE).toFile(), metadata);
      String bundleDigest = BundleDigest.write(staging);
      Files.deleteIfExists(out);
      Files.move(staging, out, StandardCopyOption.ATOMIC_MOVE);
      return new Result(bundleDigest, datasetDigest, metrics, split.train().length, split.validation().length,
          task.name(), data.classes(), data.featureNames());
    } finally {
      deleteRecursively(staging);
    }
  }

  private static Map<String, Histogram> featureBaselines(TabularData data, int[] rows, FeaturePipeline pipeline) {
    Map<String, Histogram> baselines = new LinkedHashMap<>();
    for (int f = 0; f < data.featureNames().size(); f++) {
      if (data.isNumeric(f)) {
        double[] values = new double[rows.length];
        for (int i = 0; i < rows.length; i++) {
          values[i] = (Double) data.rows().get(rows[i])[f];
        }
        baselines.put(data.featureNames().get(f), Histogram.numeric(values));
      } else {
        List<String> values = new ArrayList<>();
        for (int r : rows) {
          values.add((String) data.rows().get(r)[f]);
        }
        baselines.put(data.featureNames().get(f), Histogram.categorical(values, pipeline.features().get(f).vocabulary()));
      }
    }
    return baselines;
  }

  /** Binary: the positive-class probability; multiclass: the predicted class; regression: the predicted value. */
  public static Histogram predictionBaseline(Task task, float[][] scores, List<String> classes) {
    if (task == Task.multiclassClassification) {
      List<String> predicted = new ArrayList<>();
      for (float[] s : scores) {
        predicted.add(classes.get(EvaluationMetrics.argmax(s)));
      }
      return Histogram.categorical(predicted, classes);
    }
    double[] values = new double[scores.length];
    for (int i = 0; i < scores.length; i++) {
      values[i] = scores[i][0];
    }
    return Histogram.numeric(values);
  }

  private static ModelMetadata.Target standardisation(double[] values) {
    double mean = java.util.Arrays.stream(values).average().orElse(0);
    double variance = java.util.Arrays.stream(values).map(v -> (v - mean) * (v - mean)).average().orElse(0);
    return new ModelMetadata.Target(mean, variance == 0 ? 1 : Math.sqrt(variance));
  }

  private static double[] pick(double[] values, int[] rows) {
    double[] picked = new double[rows.length];
    for (int i = 0; i < rows.length; i++) {
      picked[i] = values[rows[i]];
    }
    return picked;
  }

  private static void refuseNonEmpty(Path out) throws IOException {
    if (Files.exists(out)) {
      if (!Files.isDirectory(out)) {
        throw new DataError("output " + out + " exists and is not a directory");
      }
      try (Stream<Path> entries = Files.list(out)) {
        if (entries.findAny().isPresent()) {
          throw new DataError("output directory " + out + " is not empty; a bundle is never written over another");
        }
      }
    }
    Files.createDirectories(out.toAbsolutePath().getParent());
  }

  private static void deleteRecursively(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(dir)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
