package dev.flywheel.crds.modelversion;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import dev.flywheel.crds.common.Patterns;
import dev.flywheel.crds.common.SecretReference;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import lombok.Data;

/** A model bundle in storage and the digest it must have. */
@Data
@ValidationRule(
    value = "!has(self.secretRef) || self.uri.startsWith('s3://') || self.uri.startsWith('https://')",
    message = "secretRef applies only to s3:// and https:// artifacts",
    fieldPath = ".secretRef")
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

  @JsonPropertyDescription("Secret with credentials for an s3:// or https:// artifact (for s3: AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, optionally AWS_SESSION_TOKEN, AWS_REGION, AWS_ENDPOINT_URL); referenced by the validating and serving pods, never copied.")
  private SecretReference secretRef;

  @Default("flywheel-mlp")
  @JsonPropertyDescription("Format of the weights: flywheel-mlp (trained by Flywheel), onnx or torchscript (brought from elsewhere).")
  private ArtifactFormat format;
}
