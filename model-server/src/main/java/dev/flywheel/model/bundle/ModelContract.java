package dev.flywheel.model.bundle;

import dev.flywheel.model.data.FeaturePipeline;
import dev.flywheel.model.data.FeatureSpec;
import dev.flywheel.model.data.Task;
import dev.flywheel.model.infer.ModelRunner;
import dev.flywheel.model.infer.ModelSignature;
import dev.flywheel.model.infer.OutputDecoder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The load-time contract between a bundle's {@value ModelMetadata#FILE} and its network, checked before a bundle is
 * validated or served: the network takes one float32 input [batch, F] whose F is the width the features encode to,
 * and its scores output (the one named by "output", else the first) is float32 [batch, k] or [batch] with k fitting the task (binary: 1 or 2, multiclass: the
 * number of classes, regression: 1). A fixed batch size is accepted (the runner splits batches into runs of it). A
 * probe then runs the network on rows encoded as requests are, so a model that passes cannot fail a request for its
 * shape. Each broken rule is refused with one line.
 */
public final class ModelContract {
  static final double PROBABILITY_SUM_TOLERANCE = 1e-3;

  private ModelContract() {}

  /** Checks the loaded network against the description; throws with the first contradiction found. */
  static void check(ModelMetadata metadata, ModelRunner runner, FeaturePipeline pipeline) throws InvalidBundleException {
    ModelSignature signature = runner.signature();
    if (signature.known()) {
      checkInput(signature, metadata.features(), pipeline.inputSize());
      checkOutput(signature, metadata);
    }
    probe(metadata, runner, pipeline);
  }

  /** The output widths a task accepts: binary 1 (the positive class) or 2 (classes in order), multiclass k, regression 1. */
  static List<Integer> outputWidths(ModelMetadata m) {
    if (Task.binaryClassification.name().equals(m.task())) {
      return List.of(1, 2);
    }
    return m.isMulticlass() ? List.of(m.classes().size()) : List.of(1);
  }

  /** " needs …" — what the task needs of the output, for a refusal. */
  static String describe(ModelMetadata m, List<Integer> widths) {
    if (Task.binaryClassification.name().equals(m.task())) {
      return " needs 1 output column (the score of the positive class '" + m.classes().get(1) + "') or 2 (one per class, in the order "
          + m.classes() + ")";
    }
    return m.isMulticlass()
        ? " needs " + widths.get(0) + " output columns, one per class in the order " + m.classes()
        : " needs 1 output column (the predicted value)";
  }

  private static void checkInput(ModelSignature signature, List<FeatureSpec> features, int width) throws InvalidBundleException {
    if (signature.inputs().size() != 1) {
      throw refuse("the model has " + signature.inputs().size() + " inputs " + signature.inputs()
          + "; Flywheel feeds one float32 tensor [batch, " + width + "]");
    }
    ModelSignature.Tensor input = signature.inputs().get(0);
    if (!"FLOAT".equals(input.type())) {
      throw refuse("the model's input " + input + " is not float32; Flywheel feeds one float32 tensor [batch, " + width + "]");
    }
    if (input.shape().length != 2) {
      throw refuse("the model's input " + input + " is not [batch, features]; Flywheel feeds one float32 tensor [batch, " + width + "]");
    }
    long columns = input.shape()[1];
    if (columns >= 0 && columns != width) {
      throw refuse("the model's input " + input + " takes " + columns + " columns, but the features of " + ModelMetadata.FILE
          + " encode to " + width + " (" + encoding(features) + ")");
    }
  }

  private static void checkOutput(ModelSignature signature, ModelMetadata m) throws InvalidBundleException {
    if (signature.outputs().isEmpty()) {
      throw refuse("the model has no outputs");
    }
    ModelSignature.Tensor output = signature.outputs().get(0);
    String which = "first output";
    if (m.output() != null) {
      which = "output";
      output = signature.outputs().stream().filter(o -> o.name().equals(m.output())).findFirst()
          .orElseThrow(() -> refuse(ModelMetadata.FILE + " names output '" + m.output() + "', but the model's outputs are " + signature.outputs()));
    }
    if (!"FLOAT".equals(output.type())) {
      throw refuse("the model's " + which + " " + output + " is not float32; Flywheel reads " + (m.output() == null
          ? "the first output as the scores (name the float32 scores or probabilities in \"output\")" : "the scores from it"));
    }
    if (output.shape().length < 1 || output.shape().length > 2) {
      throw refuse("the model's " + which + " " + output + " is not [batch, k] or [batch]");
    }
    long columns = output.shape().length == 1 ? 1 : output.shape()[1];
    List<Integer> widths = outputWidths(m);
    if (columns >= 0 && !widths.contains((int) columns)) {
      throw refuse("task " + m.task() + describe(m, widths) + ", but the model's " + which + " " + output + " has " + columns
          + (columns == 1 ? " column" : " columns"));
    }
  }

  /** Runs the network on rows encoded as requests are, across a batch split when the batch is fixed, and checks what comes back. */
  private static void probe(ModelMetadata m, ModelRunner runner, FeaturePipeline pipeline) throws InvalidBundleException {
    int rows = runner.fixedBatch() > 0 ? runner.fixedBatch() + 1 : 2;
    float[][] encoded = new float[rows][];
    float[] typical = pipeline.encode(pipeline.typicalRow());
    for (int r = 0; r < rows; r++) {
      encoded[r] = r % 2 == 0 ? typical.clone() : new float[typical.length];
    }
    float[][] raw;
    try {
      raw = runner.run(encoded);
    } catch (RuntimeException e) {
      throw refuse("the model cannot score a batch of " + rows + " rows of " + typical.length + " inputs: " + firstLine(e));
    }
    List<Integer> widths = outputWidths(m);
    if (raw.length != rows || !widths.contains(raw[0].length)) {
      throw refuse("task " + m.task() + describe(m, widths) + ", but the model answered " + rows + " rows with " + raw.length
          + " rows of " + raw[0].length + (raw[0].length == 1 ? " column" : " columns"));
    }
    boolean probabilities = ModelMetadata.PROBABILITIES.equals(m.outputs());
    for (float[] row : raw) {
      checkScores(m, row, probabilities);
    }
  }

  private static void checkScores(ModelMetadata m, float[] row, boolean probabilities) throws InvalidBundleException {
    double sum = 0;
    for (float v : row) {
      if (!Float.isFinite(v)) {
        throw refuse("the model gave a non-finite output " + v + " for a typical row");
      }
      if (probabilities && (v < 0 || v > 1)) {
        throw refuse("outputs is probabilities, but the model gave " + v + " for a typical row (declare logits if the outputs are"
            + " scores before sigmoid or softmax)");
      }
      sum += v;
    }
    if (probabilities && row.length > 1 && Math.abs(sum - 1) > PROBABILITY_SUM_TOLERANCE) {
      throw refuse("outputs is probabilities, but a row of the model's output sums to " + (float) sum + ", not 1 (declare logits if"
          + " the outputs are scores before softmax)");
    }
    float[] scores = OutputDecoder.of(m).decode(row);
    if (m.isClassification() && Arrays.stream(toDoubles(scores)).anyMatch(p -> !(p >= 0 && p <= 1))) {
      throw refuse("the model's output decodes to an invalid probability " + Arrays.toString(scores));
    }
  }

  private static double[] toDoubles(float[] values) {
    double[] doubles = new double[values.length];
    for (int i = 0; i < values.length; i++) {
      doubles[i] = values[i];
    }
    return doubles;
  }

  /** "a, b: 1 each; c: 3 (one-hot)" — how the features become the input's columns, in order. */
  static String encoding(List<FeatureSpec> features) {
    List<String> parts = new ArrayList<>();
    List<String> numeric = new ArrayList<>();
    for (FeatureSpec f : features) {
      if (f.isNumeric()) {
        numeric.add(f.name());
      } else {
        if (!numeric.isEmpty()) {
          parts.add(numericPart(numeric));
          numeric.clear();
        }
        parts.add(f.name() + ": " + f.width() + " one-hot");
      }
    }
    if (!numeric.isEmpty()) {
      parts.add(numericPart(numeric));
    }
    return String.join("; ", parts);
  }

  private static String numericPart(List<String> names) {
    return String.join(", ", names) + (names.size() == 1 ? ": 1" : ": 1 each");
  }

  /** The first line of the innermost cause: what the engine said, without the wrappers around it. */
  private static String firstLine(RuntimeException e) {
    Throwable cause = e;
    while (cause.getCause() != null && cause.getCause() != cause) {
      cause = cause.getCause(); // the engine's own words, not its wrappers'
    }
    String message = cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
    return message.strip().lines().findFirst().orElse("");
  }

  private static InvalidBundleException refuse(String reason) {
    return new InvalidBundleException(reason);
  }
}
