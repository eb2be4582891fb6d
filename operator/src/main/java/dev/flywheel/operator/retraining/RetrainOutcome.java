package dev.flywheel.operator.retraining;

import dev.flywheel.crds.common.ConditionStatus;
import dev.flywheel.crds.modeldeployment.LastRetrain;
import dev.flywheel.crds.modelversion.ModelVersion;
import dev.flywheel.crds.trainingjob.TrainingJob;
import dev.flywheel.crds.trainingjob.TrainingPhase;
import dev.flywheel.operator.common.Conditions;
import java.util.Optional;

/**
 * Where the most recent retrain stands, from its TrainingJob and the ModelVersion it registered: Running while it
 * trains, Validating while its version is validated, then Failed, or ready for the promotion gates.
 */
public final class RetrainOutcome {
  public static final String RUNNING = "Running";
  public static final String VALIDATING = "Validating";
  public static final String PROMOTED = "Promoted";
  public static final String REGISTERED = "Registered";
  public static final String REJECTED = "Rejected";
  public static final String FAILED = "Failed";
  /** Outcomes after which nothing more happens to a retrain. */
  public static final java.util.Set<String> FINAL = java.util.Set.of(PROMOTED, REGISTERED, REJECTED, FAILED);

  /** The retrain's stage before the gates: the outcome so far, and the validated version when it is one. */
  record Progress(String outcome, Optional<ModelVersion> validated, String message) {
    boolean running() {
      return RUNNING.equals(outcome) || VALIDATING.equals(outcome);
    }
  }

  private RetrainOutcome() {}

  static Progress of(TrainingJob job, Optional<ModelVersion> registered) {
    TrainingPhase phase = job.getStatus() == null ? null : job.getStatus().getPhase();
    if (phase == TrainingPhase.Failed) {
      return new Progress(FAILED, Optional.empty(), job.getStatus().getMessage());
    }
    if (phase != TrainingPhase.Succeeded) {
      return new Progress(RUNNING, Optional.empty(), "TrainingJob " + job.getMetadata().getName() + " trains");
    }
    if (registered.isEmpty()) {
      return new Progress(VALIDATING, Optional.empty(), "waiting for ModelVersion " + job.getStatus().getModelVersion());
    }
    ModelVersion version = registered.get();
    var validated = version.getStatus() == null ? Optional.<dev.flywheel.crds.common.Condition>empty()
        : Conditions.find(version.getStatus().getConditions(), "Validated");
    if (validated.isEmpty() || validated.get().getStatus() == ConditionStatus.Unknown) {
      return new Progress(VALIDATING, Optional.empty(), "validating " + version.getMetadata().getName());
    }
    if (validated.get().getStatus() == ConditionStatus.False) {
      return new Progress(REJECTED, Optional.empty(), version.getMetadata().getName() + " failed validation: " + validated.get().getMessage());
    }
    return new Progress(VALIDATING, Optional.of(version), version.getMetadata().getName() + " is validated");
  }

  /** Whether a recorded outcome is final for this TrainingJob (gates already decided, or it failed). */
  static boolean decided(LastRetrain last, TrainingJob job) {
    return last != null && job.getMetadata().getName().equals(last.getTrainingJob()) && FINAL.contains(last.getOutcome());
  }
}
