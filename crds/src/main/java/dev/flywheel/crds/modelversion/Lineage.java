package dev.flywheel.crds.modelversion;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import dev.flywheel.crds.common.Patterns;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;
import java.util.Map;
import lombok.Data;

/** Provenance of a model version: enough to reproduce it bit for bit. */
@Data
public class Lineage {
  @Size(max = 253)
  @JsonPropertyDescription("Name of the TrainingJob that produced this version (empty for imported models).")
  private String trainingJob;

  @Size(max = 2048)
  @JsonPropertyDescription("URI of the training data.")
  private String datasetUri;

  @Pattern(Patterns.SHA256_DIGEST)
  @JsonPropertyDescription("sha256 digest of the training data as read.")
  private String datasetDigest;

  @JsonPropertyDescription("Random seed of the training run.")
  private Long seed;

  @JsonPropertyDescription("Hyperparameters of the training run (name to value).")
  private Map<String, String> hyperparameters;

  @Size(max = 512)
  @JsonPropertyDescription("Trainer image of the training run.")
  private String image;
}
