package dev.flywheel.operator.modelversion;

import dev.flywheel.crds.modelversion.ModelVersion;
import dev.flywheel.crds.site.SiteSpec;
import dev.flywheel.operator.common.Labels;
import dev.flywheel.operator.common.Names;
import dev.flywheel.operator.common.RuntimeJob;
import dev.flywheel.operator.common.RuntimePod;
import dev.flywheel.operator.common.StorageMounts;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import java.util.List;

/** The batch Job that runs {@code flywheel-model validate} on a ModelVersion's artifact against its registered digest. */
public final class ValidatorJobBuilder {
  private ValidatorJobBuilder() {}

  /** Whether the validator can read the artifact: a PVC, a path of the node, or S3 (https:// bundles are not listable). */
  public static boolean reachable(ModelVersion version) {
    String uri = version.getSpec().getArtifact().getUri();
    return uri.startsWith("pvc://") || uri.startsWith("file://") || uri.startsWith("s3://");
  }

  /** @param owned whether the Job lives in the ModelVersion's cluster (owner reference, so deletion cascades) */
  public static Job build(ModelVersion version, String siteName, SiteSpec site, String image, boolean owned) {
    StorageMounts storage = new StorageMounts();
    String uri = version.getSpec().getArtifact().getUri();
    String bundle = uri.startsWith("s3://") ? uri : storage.readPath(uri);
    String credentials = version.getSpec().getArtifact().getSecretRef() != null ? version.getSpec().getArtifact().getSecretRef().getName() : null;
    List<String> args = List.of("validate", "--bundle", bundle,
        "--expected-digest", version.getSpec().getArtifact().getDigest(), "--termination-log", "/dev/termination-log");
    return new RuntimeJob()
        .name(Names.validation(version))
        .namespace(version.getMetadata().getNamespace())
        .pod(new RuntimePod()
            .labels(Labels.validation(version.getMetadata().getName(), version.getSpec().getModel(), siteName))
            .image(image)
            .args(args)
            .storage(storage)
            .site(site)
            .credentialsSecret(credentials))
        .backoffLimit(1)
        .activeDeadlineSeconds(600L)
        .owner(owned ? version : null)
        .build();
  }
}
