package dev.flywheel.operator.serving;

import dev.flywheel.crds.modeldeployment.ModelDeployment;
import dev.flywheel.crds.modelversion.ModelVersion;
import dev.flywheel.crds.modelversion.Stage;
import dev.flywheel.operator.modelversion.EffectiveStage;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * Which ModelVersion a ModelDeployment wants served: the pinned spec.version, or the model's version whose
 * effective stage (status, not spec) is spec.followStage. Only a Validated version may be served.
 *
 * @param version the version to serve, when one may be
 * @param reason Resolved, or VersionNotFound, VersionNotValidated, NoVersionInStage
 * @param message what a person reads
 */
public record VersionResolution(Optional<ModelVersion> version, String reason, String message) {
  public static final String RESOLVED = "Resolved";
  public static final String VERSION_NOT_FOUND = "VersionNotFound";
  public static final String VERSION_NOT_VALIDATED = "VersionNotValidated";
  public static final String NO_VERSION_IN_STAGE = "NoVersionInStage";

  /** @param versions the ModelVersions of the deployment's namespace, from the informer cache */
  public static VersionResolution of(ModelDeployment deployment, List<ModelVersion> versions) {
    String model = deployment.getSpec().getModel();
    String pinned = deployment.getSpec().getVersion();
    if (pinned != null) {
      Optional<ModelVersion> found = versions.stream().filter(v -> pinned.equals(v.getMetadata().getName())).findFirst();
      if (found.isEmpty()) {
        return refused(VERSION_NOT_FOUND, "ModelVersion " + pinned + " does not exist in namespace " + deployment.getMetadata().getNamespace());
      }
      if (!model.equals(found.get().getSpec().getModel())) {
        return refused(VERSION_NOT_FOUND, "ModelVersion " + pinned + " is a version of model " + found.get().getSpec().getModel() + ", not " + model);
      }
      return validated(found.get());
    }
    Stage stage = Stage.valueOf(deployment.getSpec().getFollowStage().name());
    Optional<ModelVersion> inStage = versions.stream()
        .filter(v -> model.equals(v.getSpec().getModel()) && EffectiveStage.effective(v) == stage)
        .max(Comparator.comparing((ModelVersion v) -> v.getStatus().getPromotedAt() == null ? "" : v.getStatus().getPromotedAt())
            .thenComparing(v -> v.getSpec().getVersion()));
    if (inStage.isEmpty()) {
      return refused(NO_VERSION_IN_STAGE, "no version of model " + model + " is in stage " + stage);
    }
    return validated(inStage.get());
  }

  private static VersionResolution validated(ModelVersion version) {
    if (!EffectiveStage.validated(version).orElse(false)) {
      return refused(VERSION_NOT_VALIDATED, "ModelVersion " + version.getMetadata().getName() + " is not validated"
          + (EffectiveStage.validated(version).isEmpty() ? " yet" : ": " + validationMessage(version)));
    }
    return new VersionResolution(Optional.of(version), RESOLVED, "serving " + version.getMetadata().getName());
  }

  private static String validationMessage(ModelVersion version) {
    return version.getStatus().getConditions().stream().filter(c -> "Validated".equals(c.getType())).map(c -> c.getMessage())
        .findFirst().orElse("validation failed");
  }

  private static VersionResolution refused(String reason, String message) {
    return new VersionResolution(Optional.empty(), reason, message);
  }

  public boolean resolved() {
    return version.isPresent();
  }
}
