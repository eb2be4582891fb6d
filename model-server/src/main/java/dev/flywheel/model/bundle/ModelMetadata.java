package dev.flywheel.model.bundle;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import dev.flywheel.model.data.FeatureSpec;
import dev.flywheel.model.data.Task;
import java.util.List;
import java.util.Map;

/**
 * The bundle's {@value #FILE}: what the model is, how to feed it, what its training data looked like, how well it
 * did, and where it came from. It holds no times or paths, so the same data, options and seed give the same bytes.
 *
 * @param format flywheel-mlp (trained here), onnx or torchscript (imported)
 * @param outputs what the network emits: logits (sigmoid/softmax applied by the server) or probabilities
 * @param output the name of the network output that holds the scores (onnx only); null for the first output
 * @param weights weight file per engine name (PyTorch, OnnxRuntime), relative to the bundle
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ModelMetadata(
    int formatVersion,
    String format,
    String task,
    String label,
    List<String> classes,
    List<FeatureSpec> features,
    Architecture architecture,
    String outputs,
    String output,
    Target target,
    Map<String, String> weights,
    Baseline baseline,
    Map<String, Double> metrics,
    Lineage lineage) {
  public static final String FILE = "flywheel-model.json";
  public static final int FORMAT_VERSION = 1;
  public static final String LOGITS = "logits";
  public static final String PROBABILITIES = "probabilities";

  /** Binary or multiclass classification, not regression. */
  @JsonIgnore
  public boolean isClassification() {
    return !Task.regression.name().equals(task);
  }

  @JsonIgnore
  public boolean isMulticlass() {
    return Task.multiclassClassification.name().equals(task);
  }

  /** The network's shape. */
  public record Architecture(String type, int inputSize, List<Integer> hiddenLayers, int outputSize, String activation) {}

  /** Standardisation of a regression target: the network predicts (y - mean) / std. */
  public record Target(double mean, double std) {}

  /** Distributions of the training data and of the model's predictions on it, for drift. */
  public record Baseline(Map<String, Histogram> features, Histogram prediction) {}

  /** Provenance: enough to reproduce the bundle bit for bit. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Lineage(
      String datasetDigest,
      Long seed,
      Map<String, Object> hyperparameters,
      Integer trainingRows,
      Integer validationRows,
      String djlVersion,
      String engine) {}
}
