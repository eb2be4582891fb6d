package dev.flywheel.operator.serving;

import dev.flywheel.crds.modeldeployment.ModelDeployment;
import dev.flywheel.operator.common.Labels;
import dev.flywheel.operator.common.Names;
import dev.flywheel.operator.common.OwnerReferences;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudgetBuilder;

/** The PodDisruptionBudget that lets voluntary disruptions (node drains) take at most one serving pod at a time. */
public final class DisruptionBudgetBuilder {
  private DisruptionBudgetBuilder() {}

  public static PodDisruptionBudget build(ModelDeployment mdep) {
    return new PodDisruptionBudgetBuilder()
        .withNewMetadata()
          .withName(Names.disruptionBudget(mdep))
          .withNamespace(mdep.getMetadata().getNamespace())
          .withLabels(Labels.serving(mdep))
          .withOwnerReferences(OwnerReferences.controller(mdep))
        .endMetadata()
        .withNewSpec()
          .withMaxUnavailable(new IntOrString(1))
          .withNewSelector().withMatchLabels(Labels.servingSelector(mdep)).endSelector()
        .endSpec()
        .build();
  }
}
