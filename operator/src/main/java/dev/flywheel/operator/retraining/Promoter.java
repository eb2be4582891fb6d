package dev.flywheel.operator.retraining;

import dev.flywheel.crds.common.DataClassification;
import dev.flywheel.crds.modeldeployment.LastRetrain;
import dev.flywheel.crds.modeldeployment.ModelDeployment;
import dev.flywheel.crds.modeldeployment.ModelDeploymentStatus;
import dev.flywheel.crds.modeldeployment.Promotion;
import dev.flywheel.crds.modelversion.ModelVersion;
import dev.flywheel.crds.modelversion.Stage;
import dev.flywheel.crds.site.Site;
import dev.flywheel.crds.site.SiteType;
import dev.flywheel.crds.trainingjob.TrainingJob;
import dev.flywheel.operator.OperatorSettings;
import dev.flywheel.operator.common.EventRecorder;
import dev.flywheel.operator.common.Labels;
import dev.flywheel.operator.common.RuntimeJob;
import dev.flywheel.operator.placement.PlacementDecision;
import dev.flywheel.operator.placement.SiteCandidates;
import dev.flywheel.operator.placement.SiteLoad;
import dev.flywheel.operator.placement.SitePlacement;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import jakarta.enterprise.context.ApplicationScoped;
import dev.flywheel.operator.telemetry.OperatorMetrics;
import jakarta.inject.Inject;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Decides a validated retrained version's fate: the gates on its metrics; with mustBeatCurrent, the serving version's
 * scores — on the same fresh holdout rows through a comparison Job when promotion.holdoutUris is set; then, when
 * promotion.auto is on and the operator created the version, promotion by writing its spec.stage (a user's version
 * never is). Everything it decides goes into lastRetrain, an Event and the outcome.
 */
@ApplicationScoped
public class Promoter {
  public static final String COMPARING = "Comparing";

  @Inject
  OperatorSettings settings;

  @Inject
  EventRecorder events;

  @Inject
  OperatorMetrics operatorMetrics;

  /** Returns whether the retrain is still running (its comparison Job has not finished). */
  boolean decide(Retrainer.Inputs in, ModelDeploymentStatus status, LastRetrain last, TrainingJob job, ModelVersion candidate) {
    ModelDeployment deployment = in.deployment();
    KubernetesClient client = in.client();
    Promotion promotion = deployment.getSpec().getRetraining().getPromotion() != null ? deployment.getSpec().getRetraining().getPromotion()
        : new Promotion();
    Optional<ModelVersion> current = Optional.ofNullable(status.getCurrentVersion()).map(in.versions()::get);
    String name = candidate.getMetadata().getName();
    if (PromotionGates.mustBeatCurrent(promotion) && status.getCurrentVersion() != null && current.isEmpty()) {
      reject(client, deployment, status, last, name + " cannot be compared: the serving version " + status.getCurrentVersion() + " is gone");
      operatorMetrics.promotionRefused(deployment.getMetadata().getNamespace(), deployment.getMetadata().getName(), "mustBeatCurrent");
      return false;
    }
    PromotionGates gates = PromotionGates.check(promotion, candidate, current);
    if (gates.passed() && PromotionGates.mustBeatCurrent(promotion) && current.isPresent() && promotion.getHoldoutUris() != null
        && !promotion.getHoldoutUris().isEmpty()) {
      Optional<ComparisonResult> compared = compare(in, job, candidate, current.get(), last);
      if (compared.isEmpty()) {
        return true;
      }
      if (!compared.get().scored()) {
        reject(client, deployment, status, last, name + " could not be compared with " + current.get().getMetadata().getName() + ": "
            + compared.get().reason());
        operatorMetrics.promotionRefused(deployment.getMetadata().getNamespace(), deployment.getMetadata().getName(), "comparison");
        return false;
      }
      last.setCandidateMetrics(compared.get().candidate().get());
      last.setCurrentMetrics(compared.get().current().get());
      gates = PromotionGates.beats(promotion, compared.get().candidate().get(), compared.get().current().get(),
          current.get().getMetadata().getName(), " on the same " + compared.get().rows() + " holdout rows");
    }
    if (!gates.passed()) {
      reject(client, deployment, status, last, name + " stays registered, " + status.getCurrentVersion() + " keeps serving: gate "
          + gates.gate().get() + " failed: " + gates.message());
      operatorMetrics.promotionRefused(deployment.getMetadata().getNamespace(), deployment.getMetadata().getName(), gates.gate().get());
      return false;
    }
    boolean createdHere = candidate.getMetadata().getLabels() != null
        && Labels.OPERATOR.equals(candidate.getMetadata().getLabels().get(Labels.MANAGED_BY))
        && job.getMetadata().getName().equals(candidate.getMetadata().getLabels().get(Labels.TRAINING_JOB));
    if (!Boolean.TRUE.equals(promotion.getAuto()) || deployment.getSpec().getFollowStage() == null || !createdHere) {
      last.setOutcome(RetrainOutcome.REGISTERED);
      last.setMessage(name + " passed the gates (" + gates.message() + "); "
          + (deployment.getSpec().getFollowStage() == null ? "the deployment pins spec.version"
              : !Boolean.TRUE.equals(promotion.getAuto()) ? "promotion.auto is off" : "this retrain did not create it") + ": promote it by hand");
      events.normal(client, deployment, "RetrainRegistered", last.getMessage());
      return false;
    }
    Stage stage = Stage.valueOf(deployment.getSpec().getFollowStage().name());
    try {
      client.resources(ModelVersion.class).inNamespace(candidate.getMetadata().getNamespace()).withName(name).edit(mv -> {
        mv.getSpec().setStage(stage);
        return mv;
      });
    } catch (KubernetesClientException e) {
      if (e.getCode() < 400 || e.getCode() >= 500 || e.getCode() == 409) {
        throw e;
      }
      reject(client, deployment, status, last, name + " passed the gates but could not be promoted: " + dev.flywheel.operator.common.StatusUpdates.describe(e));
      return false;
    }
    last.setOutcome(RetrainOutcome.PROMOTED);
    last.setMessage(name + " passed the gates (" + gates.message() + ") and is promoted to " + stage);
    events.normal(client, deployment, "RetrainPromoted", last.getMessage());
    return false;
  }

  private void reject(KubernetesClient client, ModelDeployment deployment, ModelDeploymentStatus status, LastRetrain last, String message) {
    last.setOutcome(RetrainOutcome.REJECTED);
    last.setMessage(message);
    events.warning(client, deployment, "PromotionRefused", message);
  }

  /**
   * The comparison Job's result once it finished; empty while it runs (created here when missing, on a Site that may
   * hold the model's data).
   */
  private Optional<ComparisonResult> compare(Retrainer.Inputs in, TrainingJob job, ModelVersion candidate, ModelVersion current, LastRetrain last) {
    String jobName = ComparisonJobBuilder.name(job);
    Optional<Job> comparison = in.jobs().apply(jobName);
    if (comparison.isEmpty()) {
      DataClassification classification = candidate.getSpec().getClassification() != null ? candidate.getSpec().getClassification()
          : DataClassification.INTERNAL;
      List<Site> local = in.sites().stream().filter(s -> s.getSpec().getType() == SiteType.nodePool).toList();
      PlacementDecision decision = SitePlacement.place(classification, SitePlacement.AUTO, SiteCandidates.of(local, Map.of()));
      if (!decision.isPlaced()) {
        return Optional.of(new ComparisonResult(Optional.empty(), Optional.empty(), 0, "no Site of this cluster may hold the holdout data: "
            + decision.message()));
      }
      Site site = local.stream().filter(s -> s.getMetadata().getName().equals(decision.site().get())).findFirst().orElseThrow();
      try {
        in.client().resource(ComparisonJobBuilder.build(in.deployment(), job, candidate, current, site.getMetadata().getName(), site.getSpec(),
            settings.image())).create();
      } catch (KubernetesClientException e) {
        if (e.getCode() != 409) {
          throw e;
        }
      }
      last.setOutcome(COMPARING);
      last.setMessage("scoring " + candidate.getMetadata().getName() + " and " + current.getMetadata().getName() + " on the same holdout rows");
      return Optional.empty();
    }
    var jobStatus = comparison.get().getStatus();
    boolean complete = jobStatus != null && jobStatus.getSucceeded() != null && jobStatus.getSucceeded() > 0;
    boolean failed = SiteLoad.hasCondition(jobStatus, "Failed");
    if (!complete && !failed) {
      last.setOutcome(COMPARING);
      return Optional.empty();
    }
    String uid = comparison.get().getMetadata().getUid();
    String message = RuntimeJob.terminationMessage(in.client().pods().inNamespace(in.deployment().getMetadata().getNamespace())
        .withLabel("job-name", jobName).list().getItems().stream()
        .filter(p -> uid == null || p.getMetadata().getLabels() == null || !p.getMetadata().getLabels().containsKey("controller-uid")
            || uid.equals(p.getMetadata().getLabels().get("controller-uid")))
        .toList()).orElse(null);
    return Optional.of(ComparisonResult.parse(message));
  }
}
