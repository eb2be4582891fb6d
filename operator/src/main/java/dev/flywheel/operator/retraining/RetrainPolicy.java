package dev.flywheel.operator.retraining;

import dev.flywheel.crds.common.Durations;
import dev.flywheel.crds.modeldeployment.Retraining;
import dev.flywheel.crds.modeldeployment.TriggerStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Whether a firing trigger may start a retrain now: not while a retrain or a rollout is in progress, not within the
 * cooldown of the last retrain, and not past the budget of maxRetrainsPerDay in any sliding 24 hours. The times
 * of earlier retrains come from the retraining TrainingJobs themselves, so neither a restart nor a lost status can
 * reset the cooldown or the budget.
 */
public final class RetrainPolicy {
  public static final Duration DAY = Duration.ofHours(24);

  /** What the policy decided; a firing trigger that starts nothing is recorded with the reason. */
  public record Decision(Optional<TriggerStatus> start, String reason, String message) {
    public static final String START = "TriggerFired";
    public static final String NOT_FIRING = "NotFiring";
    public static final String DISABLED = "RetrainingDisabled";
    public static final String IN_PROGRESS = "RetrainInProgress";
    public static final String ROLLOUT_IN_PROGRESS = "RolloutInProgress";
    public static final String COOLDOWN = "Cooldown";
    public static final String BUDGET = "BudgetExhausted";

    boolean starts() {
      return start.isPresent();
    }
  }

  private RetrainPolicy() {}

  /**
   * @param triggers the triggers as just evaluated, in spec order (the first firing one is the reason)
   * @param retrainsStarted when each retraining TrainingJob of this deployment was created
   * @param retrainRunning whether one of them has not finished, or its version is still being validated or promoted
   * @param rolloutRunning whether a rollout is in progress
   */
  public static Decision decide(Retraining retraining, List<TriggerStatus> triggers, List<Instant> retrainsStarted, boolean retrainRunning,
      boolean rolloutRunning, Instant now) {
    Optional<TriggerStatus> firing = triggers.stream().filter(t -> Boolean.TRUE.equals(t.getFiring())).findFirst();
    if (firing.isEmpty()) {
      return new Decision(Optional.empty(), Decision.NOT_FIRING, "no trigger is firing");
    }
    String what = "trigger " + firing.get().getName() + " fires (value " + firing.get().getValue() + ")";
    if (!Boolean.TRUE.equals(retraining.getEnabled())) {
      return new Decision(Optional.empty(), Decision.DISABLED, what + "; retraining is not enabled");
    }
    if (retrainRunning) {
      return new Decision(Optional.empty(), Decision.IN_PROGRESS, what + "; a retrain is in progress");
    }
    if (rolloutRunning) {
      return new Decision(Optional.empty(), Decision.ROLLOUT_IN_PROGRESS, what + "; a rollout is in progress");
    }
    Duration cooldown = Durations.parse(retraining.getCooldown() == null ? "1h" : retraining.getCooldown());
    Optional<Instant> last = retrainsStarted.stream().max(Instant::compareTo);
    if (last.isPresent() && now.isBefore(last.get().plus(cooldown))) {
      return new Decision(Optional.empty(), Decision.COOLDOWN, what + "; in the cooldown of " + retraining.getCooldown() + " until "
          + last.get().plus(cooldown));
    }
    int budget = retraining.getMaxRetrainsPerDay() == null ? 3 : retraining.getMaxRetrainsPerDay();
    long today = retrainsToday(retrainsStarted, now);
    if (today >= budget) {
      return new Decision(Optional.empty(), Decision.BUDGET, what + "; " + today + " of " + budget + " retrains in the last 24 hours");
    }
    return new Decision(firing, Decision.START, what);
  }

  /** Retrains started in the sliding 24 hours before now. */
  public static long retrainsToday(List<Instant> retrainsStarted, Instant now) {
    return retrainsStarted.stream().filter(t -> t.isAfter(now.minus(DAY))).count(); // one stamped "in the future" counts
  }
}
