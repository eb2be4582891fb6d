package dev.flywheel.crds.trainingjob;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.List;
import lombok.Data;

/** The learning algorithm of a TrainingJob and its hyperparameters. */
@Data
public class Algorithm {
  @Default("mlp")
  @JsonPropertyDescription("Algorithm family. mlp: a multi-layer perceptron trained with Adam.")
  private AlgorithmType type;

  @Default("[64, 32]")
  @Size(min = 1, max = 8)
  @ValidationRule(value = "self.all(n, n >= 1 && n <= 4096)", message = "each hidden layer needs 1 to 4096 units")
  @JsonPropertyDescription("Units in each hidden layer, from input to output.")
  private List<Integer> hiddenLayers;

  @Default("20")
  @Min(1)
  @Max(10000)
  @JsonPropertyDescription("Passes over the training data.")
  private Integer epochs;

  @Default("32")
  @Min(1)
  @Max(65536)
  @JsonPropertyDescription("Rows per gradient step.")
  private Integer batchSize;

  @Default("0.001")
  @Min(value = 0, inclusive = false)
  @Max(1)
  @JsonPropertyDescription("Step size of the optimiser.")
  private Double learningRate;
}
