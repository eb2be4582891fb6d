package dev.flywheel.model.train;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Hyperparameters of one training run, as the TrainingJob's algorithm, seed and validationSplit give them. */
public record TrainingOptions(
    List<Integer> hiddenLayers, int epochs, int batchSize, double learningRate, long seed, double validationSplit) {

  public static final TrainingOptions DEFAULTS = new TrainingOptions(List.of(64, 32), 20, 32, 0.001, 42, 0.2);

  /** The hyperparameters as recorded in the bundle's lineage. */
  public Map<String, Object> asMap() {
    Map<String, Object> map = new LinkedHashMap<>();
    map.put("algorithm", "mlp");
    map.put("hiddenLayers", hiddenLayers);
    map.put("epochs", epochs);
    map.put("batchSize", batchSize);
    map.put("learningRate", learningRate);
    map.put("validationSplit", validationSplit);
    return map;
  }
}
