package dev.flywheel.operator.serving;

import dev.flywheel.crds.modelversion.Artifact;
import dev.flywheel.crds.modelversion.ArtifactFormat;
import dev.flywheel.crds.modelversion.ModelVersion;
import io.fabric8.kubernetes.client.utils.Serialization;

/**
 * What the serving pods need to know of the ModelVersion they serve.
 *
 * @param name the ModelVersion's name (the model server's --model-version)
 * @param bundleUri where the bundle is: pvc://, s3://, https:// or file://
 * @param digest the sha256 digest the bundle must have
 * @param format the weights' format as the API spells it (flywheel-mlp, onnx, torchscript)
 * @param credentialsSecret the Secret with the artifact's credentials, or null
 */
public record ServedVersion(String name, String model, String bundleUri, String digest, String format, String credentialsSecret) {

  public static ServedVersion of(ModelVersion mv) {
    Artifact artifact = mv.getSpec().getArtifact();
    ArtifactFormat format = artifact.getFormat() != null ? artifact.getFormat() : ArtifactFormat.FLYWHEEL_MLP;
    return new ServedVersion(mv.getMetadata().getName(), mv.getSpec().getModel(), artifact.getUri(), artifact.getDigest(),
        Serialization.jsonMapper().convertValue(format, String.class),
        artifact.getSecretRef() != null ? artifact.getSecretRef().getName() : null);
  }
}
