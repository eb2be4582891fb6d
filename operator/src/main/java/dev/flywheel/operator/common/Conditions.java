package dev.flywheel.operator.common;

import dev.flywheel.crds.common.Condition;
import dev.flywheel.crds.common.ConditionStatus;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Optional;

/** Sets conditions the way kstatus expects: one per type, lastTransitionTime moving only when the status changes. */
public final class Conditions {
  private Conditions() {}

  /** Sets or replaces the condition of this type; returns true when anything changed. */
  public static boolean set(List<Condition> conditions, String type, ConditionStatus status, String reason, String message, Long generation) {
    Optional<Condition> existing = find(conditions, type);
    String now = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
    String since = existing.filter(c -> c.getStatus() == status).map(Condition::getLastTransitionTime).orElse(now);
    Condition next = new Condition(type, status, reason, message, since, generation);
    if (existing.isPresent() && existing.get().equals(next)) {
      return false;
    }
    existing.ifPresent(conditions::remove);
    conditions.add(next);
    return true;
  }

  public static Optional<Condition> find(List<Condition> conditions, String type) {
    return conditions.stream().filter(c -> type.equals(c.getType())).findFirst();
  }

  public static boolean isTrue(List<Condition> conditions, String type) {
    return find(conditions, type).map(c -> c.getStatus() == ConditionStatus.True).orElse(false);
  }
}
