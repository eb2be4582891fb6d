package dev.flywheel.operator.common;

import dev.flywheel.crds.common.Condition;
import dev.flywheel.crds.common.ConditionStatus;
import java.time.Clock;
import java.util.List;
import java.util.Optional;

/** Sets conditions the way kstatus expects: one per type, lastTransitionTime moving only when the status changes. */
public final class Conditions {
  private Conditions() {}

  /** Sets or replaces the condition of this type; returns true when anything changed. */
  public static boolean set(List<Condition> conditions, String type, ConditionStatus status, String reason, String message, Long generation,
      Clock clock) {
    Optional<Condition> existing = find(conditions, type);
    String since = existing.filter(c -> c.getStatus() == status).map(Condition::getLastTransitionTime).orElseGet(() -> Timestamps.now(clock));
    Condition next = new Condition(type, status, reason, message, since, generation);
    if (existing.isPresent() && existing.get().equals(next)) {
      return false;
    }
    int at = existing.map(conditions::indexOf).orElse(-1);
    if (at >= 0) {
      conditions.set(at, next);
    } else {
      conditions.add(next);
    }
    return true;
  }

  public static Optional<Condition> find(List<Condition> conditions, String type) {
    return conditions == null ? Optional.empty() : conditions.stream().filter(c -> type.equals(c.getType())).findFirst();
  }

  public static boolean isTrue(List<Condition> conditions, String type) {
    return find(conditions, type).map(c -> c.getStatus() == ConditionStatus.True).orElse(false);
  }

  public static boolean hasReason(List<Condition> conditions, String type, String reason) {
    return find(conditions, type).map(c -> reason.equals(c.getReason())).orElse(false);
  }
}
