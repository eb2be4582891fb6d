package dev.flywheel.operator.serving;

import static dev.flywheel.operator.serving.ServingFixtures.mdep;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The PodDisruptionBudget over every serving pod of a ModelDeployment. */
class DisruptionBudgetBuilderTest {
  @Test
  void drainsTakeAtMostOneServingPodAtATimeOfEitherTrack() {
    PodDisruptionBudget budget = DisruptionBudgetBuilder.build(mdep("model: churn\nversion: churn-v3\n"));
    assertThat(budget.getApiVersion()).isEqualTo("policy/v1");
    assertThat(budget.getMetadata().getName()).isEqualTo("churn");
    assertThat(budget.getMetadata().getNamespace()).isEqualTo("ml");
    assertThat(budget.getMetadata().getLabels()).containsEntry("mlops.flywheel.dev/deployment", "churn")
        .containsEntry("app.kubernetes.io/managed-by", "flywheel-operator");
    assertThat(budget.getMetadata().getOwnerReferences()).singleElement().satisfies(o -> assertThat(o.getController()).isTrue());
    assertThat(budget.getSpec().getMaxUnavailable().getIntVal()).isEqualTo(1);
    assertThat(budget.getSpec().getMinAvailable()).isNull();
    assertThat(budget.getSpec().getSelector().getMatchLabels()).containsExactlyEntriesOf(Map.of("mlops.flywheel.dev/deployment", "churn"));
  }
}
