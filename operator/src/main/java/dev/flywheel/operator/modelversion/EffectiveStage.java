package dev.flywheel.operator.modelversion;

import dev.flywheel.crds.common.ConditionStatus;
import dev.flywheel.crds.modelversion.ModelVersion;
import dev.flywheel.crds.modelversion.Stage;
import dev.flywheel.operator.common.Conditions;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * Decides a ModelVersion's effective stage without editing any spec: only a validated version may be Staging or
 * Production, and when several versions of a model ask for Production the most recent promotion wins — the
 * others are effectively Archived, reason Superseded, until their spec changes again.
 *
 * @param stage the effective stage
 * @param reason the Ready condition's reason
 * @param ready whether the desired stage is in effect (Superseded counts: the request was heard and overruled)
 * @param message what a person reads
 */
public record EffectiveStage(Stage stage, String reason, boolean ready, String message) {
  public static final String SUPERSEDED = "Superseded";
  static final String READY = "Ready";
  static final String VALIDATED = "Validated";

  /**
   * @param version the version being reconciled (its status holds the previous effective stage)
   * @param siblings the other versions of the same model in the same namespace, from the cache
   */
  public static EffectiveStage of(ModelVersion version, List<ModelVersion> siblings) {
    Stage desired = desired(version);
    Stage previous = effective(version);
    Optional<Boolean> validated = validated(version);
    if (needsValidation(desired) && !validated.orElse(false)) {
      boolean pending = validated.isEmpty();
      return new EffectiveStage(needsValidation(previous) ? Stage.None : previous, pending ? "ValidationPending" : "NotValidated", false,
          "stage " + desired + " needs a validated version; " + (pending ? "validation has not finished" : "validation failed"));
    }
    if (desired != Stage.Production) {
      return new EffectiveStage(desired, "Stage" + desired, true, "stage " + desired);
    }
    if (superseded(version)) {
      return new EffectiveStage(Stage.Archived, SUPERSEDED, true, supersededMessage(version));
    }
    ModelVersion winner = siblings.stream().filter(EffectiveStage::claimsProduction)
        .filter(other -> !other.getMetadata().getName().equals(version.getMetadata().getName()))
        .reduce(version, (a, b) -> LATEST_PROMOTION.compare(a, b) >= 0 ? a : b);
    if (winner == version) {
      return new EffectiveStage(Stage.Production, "StageProduction", true, "stage Production");
    }
    return new EffectiveStage(Stage.Archived, SUPERSEDED, true, "superseded by " + winner.getMetadata().getName()
        + " (version " + winner.getSpec().getVersion() + "), promoted to Production more recently; this version is effectively Archived");
  }

  /** Later promotion first; a request not yet in effect is the most recent one; ties go to the higher version. */
  private static final Comparator<ModelVersion> LATEST_PROMOTION = Comparator
      .comparing((ModelVersion v) -> effective(v) == Stage.Production && v.getStatus().getPromotedAt() != null
          ? v.getStatus().getPromotedAt() : "\uffff")
      .thenComparing(v -> v.getSpec().getVersion() == null ? 0 : v.getSpec().getVersion());

  /** A version asking for Production that may have it: validated, and not superseded since its spec last changed. */
  static boolean claimsProduction(ModelVersion version) {
    return desired(version) == Stage.Production && validated(version).orElse(false) && !superseded(version);
  }

  /** Superseded for this generation of the spec; a new spec (a new request) claims Production again. */
  static boolean superseded(ModelVersion version) {
    return version.getStatus() != null && Conditions.find(version.getStatus().getConditions(), READY)
        .filter(c -> SUPERSEDED.equals(c.getReason()))
        .filter(c -> c.getObservedGeneration() == null || c.getObservedGeneration().equals(version.getMetadata().getGeneration()))
        .isPresent();
  }

  private static String supersededMessage(ModelVersion version) {
    return Conditions.find(version.getStatus().getConditions(), READY).map(c -> c.getMessage()).orElse("superseded");
  }

  public static Stage desired(ModelVersion version) {
    return version.getSpec().getStage() != null ? version.getSpec().getStage() : Stage.None;
  }

  public static Stage effective(ModelVersion version) {
    return version.getStatus() != null && version.getStatus().getStage() != null ? version.getStatus().getStage() : Stage.None;
  }

  /** Whether validation decided, and how: empty while it has not. */
  public static Optional<Boolean> validated(ModelVersion version) {
    return version.getStatus() == null ? Optional.empty() : Conditions.find(version.getStatus().getConditions(), VALIDATED)
        .filter(c -> c.getStatus() != ConditionStatus.Unknown)
        .map(c -> c.getStatus() == ConditionStatus.True);
  }

  /** Only a validated version may be served from Staging or Production. */
  static boolean needsValidation(Stage stage) {
    return stage == Stage.Staging || stage == Stage.Production;
  }
}
