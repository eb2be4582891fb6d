package dev.flywheel.operator.retraining;

import dev.flywheel.crds.modeldeployment.Gate;
import dev.flywheel.crds.modeldeployment.Promotion;
import dev.flywheel.crds.modelversion.ModelVersion;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Whether a retrained version may be promoted: every gate holds on its metrics (min and max bounds, inclusive), and
 * with mustBeatCurrent it scores at least as well as the version serving now on every gated metric (higher is better
 * for a gate with a min, lower for one with only a max). A missing metric fails its gate.
 *
 * @param gate the name of the first gate that failed (the metric, or "mustBeatCurrent:metric"), empty when all hold
 * @param message the numbers, for the status and the Event
 */
public record PromotionGates(Optional<String> gate, String message) {
  public boolean passed() {
    return gate.isEmpty();
  }

  public static PromotionGates check(Promotion promotion, ModelVersion candidate, Optional<ModelVersion> current) {
    List<Gate> gates = promotion.getGates() == null ? List.of() : promotion.getGates();
    Map<String, Double> metrics = metrics(candidate);
    for (Gate gate : gates) {
      Double value = metrics.get(gate.getMetric());
      if (value == null) {
        return failed(gate.getMetric(), candidate.getMetadata().getName() + " has no metric " + gate.getMetric());
      }
      if (gate.getMin() != null && value < gate.getMin()) {
        return failed(gate.getMetric(), gate.getMetric() + " = " + format(value) + " < min " + format(gate.getMin()));
      }
      if (gate.getMax() != null && value > gate.getMax()) {
        return failed(gate.getMetric(), gate.getMetric() + " = " + format(value) + " > max " + format(gate.getMax()));
      }
    }
    boolean onHoldout = promotion.getHoldoutUris() != null && !promotion.getHoldoutUris().isEmpty();
    if (mustBeatCurrent(promotion) && current.isPresent() && !onHoldout) {
      PromotionGates beaten = beats(promotion, metrics, metrics(current.get()), current.get().getMetadata().getName(), "");
      if (!beaten.passed()) {
        return beaten;
      }
    }
    return new PromotionGates(Optional.empty(), gates.isEmpty() ? "no gates" : "every gate holds: " + summary(gates, metrics));
  }

  public static boolean mustBeatCurrent(Promotion promotion) {
    return !Boolean.FALSE.equals(promotion.getMustBeatCurrent());
  }

  /**
   * Whether the candidate scores at least as well as the current version on every gated metric.
   *
   * @param where how the scores were obtained, for the message (for example " on 500 holdout rows")
   */
  public static PromotionGates beats(Promotion promotion, Map<String, Double> candidate, Map<String, Double> current, String currentName,
      String where) {
    List<Gate> gates = promotion.getGates() == null ? List.of() : promotion.getGates();
    for (Gate gate : gates) {
      Double mine = candidate.get(gate.getMetric());
      Double theirs = current.get(gate.getMetric());
      if (theirs == null && where.isEmpty()) {
        continue; // the version serving now was registered without this metric
      }
      if (theirs == null) {
        return failed("mustBeatCurrent:" + gate.getMetric(), "the version serving now has no " + gate.getMetric() + where);
      }
      if (mine == null) {
        return failed("mustBeatCurrent:" + gate.getMetric(), "the new version has no " + gate.getMetric() + where);
      }
      boolean higherIsBetter = gate.getMin() != null || gate.getMax() == null;
      boolean worse = higherIsBetter ? mine < theirs : mine > theirs;
      if (worse) {
        return failed("mustBeatCurrent:" + gate.getMetric(), gate.getMetric() + " = " + format(mine) + (higherIsBetter ? " < " : " > ")
            + format(theirs) + " of " + currentName + ", the version serving now" + where);
      }
    }
    return new PromotionGates(Optional.empty(), "it beats " + currentName + where + ": " + summary(gates, candidate) + " against "
        + summary(gates, current));
  }

  private static PromotionGates failed(String gate, String message) {
    return new PromotionGates(Optional.of(gate), message);
  }

  private static Map<String, Double> metrics(ModelVersion version) {
    return version.getSpec().getMetrics() == null ? Map.of() : version.getSpec().getMetrics();
  }

  private static String summary(List<Gate> gates, Map<String, Double> metrics) {
    return String.join(", ", gates.stream().map(g -> g.getMetric() + " = " + format(metrics.get(g.getMetric()))).toList());
  }

  private static String format(Double value) {
    return value == null ? "none" : String.format(Locale.ROOT, "%.4g", value);
  }
}
