package dev.flywheel.crds.modelversion;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import dev.flywheel.crds.common.Patterns;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import lombok.Data;

/** A model bundle in storage and the digest it must have. */
@Data
public class Artifact {
  @Required
  @Size(max = 2048)
  @Pattern(Patterns.DATA_URI)
  @JsonPropertyDescription("Location of the bundle directory: pvc://, s3://, https:// or file:///.")
  private String uri;

  @Required
  @Pattern(Patterns.SHA256_DIGEST)
  @JsonPropertyDescription("sha256 digest of the bundle (sha256: and 64 lower-case hex digits). A bundle whose digest differs is never validated or served.")
  private String digest;

  @Default("flywheel-mlp")
  @JsonPropertyDescription("Format of the weights: flywheel-mlp (trained by Flywheel), onnx or torchscript (brought from elsewhere).")
  private ArtifactFormat format;
}
