package dev.flywheel.operator.retraining;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flywheel.crds.modeldeployment.Gate;
import dev.flywheel.crds.modeldeployment.Promotion;
import dev.flywheel.crds.modelversion.ModelVersion;
import dev.flywheel.crds.modelversion.ModelVersionSpec;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The promotion gates: bounds on the new version's metrics, and beating the version that serves now. */
class PromotionGatesTest {
  private static ModelVersion version(String name, Map<String, Double> metrics) {
    ModelVersion mv = new ModelVersion();
    mv.setMetadata(new ObjectMetaBuilder().withName(name).build());
    ModelVersionSpec spec = new ModelVersionSpec();
    spec.setMetrics(metrics);
    mv.setSpec(spec);
    return mv;
  }

  private static Promotion promotion(boolean mustBeatCurrent) {
    Gate auc = new Gate();
    auc.setMetric("auc");
    auc.setMin(0.8);
    Gate rmse = new Gate();
    rmse.setMetric("logloss");
    rmse.setMax(0.5);
    Promotion promotion = new Promotion();
    promotion.setGates(List.of(auc, rmse));
    promotion.setMustBeatCurrent(mustBeatCurrent);
    return promotion;
  }

  @Test
  void everyGateMustHoldWithTheNumbersInTheMessage() {
    assertThat(PromotionGates.check(promotion(false), version("v2", Map.of("auc", 0.85, "logloss", 0.4)), Optional.empty()).passed()).isTrue();
    PromotionGates low = PromotionGates.check(promotion(false), version("v2", Map.of("auc", 0.75, "logloss", 0.4)), Optional.empty());
    assertThat(low.gate()).contains("auc");
    assertThat(low.message()).isEqualTo("auc = 0.7500 < min 0.8000");
    assertThat(PromotionGates.check(promotion(false), version("v2", Map.of("auc", 0.9, "logloss", 0.6)), Optional.empty()).gate()).contains("logloss");
    assertThat(PromotionGates.check(promotion(false), version("v2", Map.of("auc", 0.9)), Optional.empty()).message()).contains("no metric logloss");
    assertThat(PromotionGates.check(promotion(false), version("v2", Map.of("auc", 0.8, "logloss", 0.5)), Optional.empty()).passed())
        .as("bounds are inclusive").isTrue();
  }

  @Test
  void mustBeatCurrentComparesEveryGatedMetricInItsDirection() {
    ModelVersion current = version("v1", Map.of("auc", 0.86, "logloss", 0.35));
    PromotionGates worseAuc = PromotionGates.check(promotion(true), version("v2", Map.of("auc", 0.85, "logloss", 0.3)), Optional.of(current));
    assertThat(worseAuc.gate()).contains("mustBeatCurrent:auc");
    assertThat(worseAuc.message()).contains("0.8500 < 0.8600").contains("v1");
    assertThat(PromotionGates.check(promotion(true), version("v2", Map.of("auc", 0.9, "logloss", 0.4)), Optional.of(current)).gate())
        .contains("mustBeatCurrent:logloss");
    assertThat(PromotionGates.check(promotion(true), version("v2", Map.of("auc", 0.9, "logloss", 0.3)), Optional.of(current)).passed()).isTrue();
    assertThat(PromotionGates.check(promotion(false), version("v2", Map.of("auc", 0.85, "logloss", 0.3)), Optional.of(current)).passed()).isTrue();
  }
}
