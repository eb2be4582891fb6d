package dev.flywheel.operator.modelversion;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flywheel.crds.common.Condition;
import dev.flywheel.crds.common.ConditionStatus;
import dev.flywheel.crds.modelversion.ModelVersion;
import dev.flywheel.crds.modelversion.ModelVersionSpec;
import dev.flywheel.crds.modelversion.ModelVersionStatus;
import dev.flywheel.crds.modelversion.Stage;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The effective stage of a version among its siblings: validation first, then the most recent promotion wins. */
class EffectiveStageTest {
  private static ModelVersion version(int number, Stage desired, Boolean validated, Stage effective, String promotedAt) {
    ModelVersion mv = new ModelVersion();
    mv.setMetadata(new ObjectMetaBuilder().withName("churn-v" + number).withNamespace("ml").withGeneration(1L).build());
    ModelVersionSpec spec = new ModelVersionSpec();
    spec.setModel("churn");
    spec.setVersion(number);
    spec.setStage(desired);
    mv.setSpec(spec);
    ModelVersionStatus status = new ModelVersionStatus();
    if (validated != null) {
      status.getConditions().add(new Condition("Validated", validated ? ConditionStatus.True : ConditionStatus.False, "r", "m", "2026-01-01T00:00:00Z", 1L));
    }
    status.setStage(effective);
    status.setPromotedAt(promotedAt);
    mv.setStatus(status);
    return mv;
  }

  @Test
  void onlyAValidatedVersionEntersProduction() {
    assertThat(EffectiveStage.of(version(1, Stage.Production, null, Stage.None, null), List.of()))
        .returns(Stage.None, EffectiveStage::stage).returns("ValidationPending", EffectiveStage::reason).returns(false, EffectiveStage::ready);
    assertThat(EffectiveStage.of(version(1, Stage.Production, false, Stage.None, null), List.of()))
        .returns(Stage.None, EffectiveStage::stage).returns("NotValidated", EffectiveStage::reason);
    assertThat(EffectiveStage.of(version(1, Stage.Staging, false, Stage.Archived, null), List.of()).stage())
        .as("a refused promotion keeps the stage in effect").isEqualTo(Stage.Archived);
    assertThat(EffectiveStage.of(version(1, Stage.Production, true, Stage.None, null), List.of()).stage()).isEqualTo(Stage.Production);
  }

  @Test
  void theMostRecentPromotionWinsAndTheOtherIsSuperseded() {
    ModelVersion v1 = version(1, Stage.Production, true, Stage.Production, "2026-11-01T10:00:00Z");
    ModelVersion v2 = version(2, Stage.Production, true, Stage.None, null);
    assertThat(EffectiveStage.of(v2, List.of(v1)).stage()).as("a new request is the most recent promotion").isEqualTo(Stage.Production);
    EffectiveStage old = EffectiveStage.of(v1, List.of(v2));
    assertThat(old.stage()).isEqualTo(Stage.Archived);
    assertThat(old.reason()).isEqualTo(EffectiveStage.SUPERSEDED);
    assertThat(old.message()).contains("churn-v2");

    ModelVersion v2InEffect = version(2, Stage.Production, true, Stage.Production, "2026-11-02T10:00:00Z");
    assertThat(EffectiveStage.of(v1, List.of(v2InEffect)).stage()).isEqualTo(Stage.Archived);
    assertThat(EffectiveStage.of(v2InEffect, List.of(v1)).stage()).isEqualTo(Stage.Production);
  }

  @Test
  void anOlderVersionPromotedLaterWinsRollingBackByHand() {
    ModelVersion v2 = version(2, Stage.Production, true, Stage.Production, "2026-11-02T10:00:00Z");
    ModelVersion v1 = version(1, Stage.Production, true, Stage.Staging, "2026-11-01T10:00:00Z");
    assertThat(EffectiveStage.of(v1, List.of(v2)).stage()).isEqualTo(Stage.Production);
    assertThat(EffectiveStage.of(v2, List.of(v1)).stage()).isEqualTo(Stage.Archived);
  }

  @Test
  void aSupersededVersionStaysArchivedUntilItsSpecChanges() {
    ModelVersion v1 = version(1, Stage.Production, true, Stage.Archived, "2026-11-02T10:00:00Z");
    v1.getStatus().getConditions().add(new Condition("Ready", ConditionStatus.True, EffectiveStage.SUPERSEDED, "superseded by churn-v2",
        "2026-11-02T10:00:00Z", 1L));
    assertThat(EffectiveStage.of(v1, List.of()).stage()).as("the winner was deleted: no silent comeback").isEqualTo(Stage.Archived);
    v1.getMetadata().setGeneration(2L);
    assertThat(EffectiveStage.of(v1, List.of()).stage()).as("a new spec is a new request").isEqualTo(Stage.Production);
  }

  @Test
  void unvalidatedOrUnrequestedSiblingsDoNotCompete() {
    ModelVersion v1 = version(1, Stage.Production, true, Stage.Production, "2026-11-01T10:00:00Z");
    assertThat(EffectiveStage.of(v1, List.of(version(2, Stage.Production, false, Stage.None, null), version(3, Stage.Staging, true, Stage.Staging,
        "2026-11-03T10:00:00Z"))).stage()).isEqualTo(Stage.Production);
  }
}
