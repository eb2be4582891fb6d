package dev.flywheel.crds.trainingjob;

import com.fasterxml.jackson.annotation.JsonClassDescription;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import dev.flywheel.crds.common.Patterns;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import lombok.Data;

/** What to train, on which data, how, and where: the desired state of a TrainingJob (also a retraining template). */
@JsonClassDescription("The desired state: what to train, on which data, how and where. Immutable: create a new TrainingJob to train again.")
@Data
public class TrainingJobSpec {
  @Required
  @Size(max = 63)
  @Pattern(Patterns.DNS_LABEL)
  @JsonPropertyDescription("Name of the model this job trains (a DNS-1123 label, for example churn). The resulting ModelVersion is named <model>-v<version>.")
  private String model;

  @Required
  @JsonPropertyDescription("The training data: where it is, its format, its label and feature columns, and how sensitive it is.")
  private Dataset dataset;

  @Required
  @JsonPropertyDescription("The learning task: binaryClassification, multiclassClassification or regression.")
  private Task task;

  @Default("{}")
  @JsonPropertyDescription("The learning algorithm and its hyperparameters.")
  private Algorithm algorithm;

  @Default("42")
  @Min(0)
  @JsonPropertyDescription("Random seed. The same data, options, seed and image produce a bit-identical model.")
  private Long seed;

  @Default("0.2")
  @Min(value = 0, inclusive = false)
  @Max(value = 0.9)
  @JsonPropertyDescription("Fraction of the rows held out to evaluate the model (greater than 0, at most 0.9).")
  private Double validationSplit;

  @Required
  @JsonPropertyDescription("Where the trained model bundle is written.")
  private Output output;

  @Default("{}")
  @JsonPropertyDescription("Where the job may run.")
  private Placement placement;

  @JsonPropertyDescription("CPU and memory for the trainer container (requests and limits).")
  private ResourceRequirements resources;

  @Size(max = 512)
  @JsonPropertyDescription("Trainer image to use instead of the operator's default model-server image.")
  private String image;

  @Default("2")
  @Min(0)
  @Max(10)
  @JsonPropertyDescription("How many times a failed trainer pod is retried before the job fails.")
  private Integer backoffLimit;

  @Min(1)
  @JsonPropertyDescription("Seconds the training may run, retries included, before it is stopped and marked failed.")
  private Long activeDeadlineSeconds;

  @Min(0)
  @JsonPropertyDescription("Seconds after completion before the finished Job and its pods are deleted (the TrainingJob and its results stay).")
  private Integer ttlSecondsAfterFinished;
}
