package dev.flywheel.operator.modelversion;

import dev.flywheel.crds.common.ConditionStatus;
import dev.flywheel.crds.common.DataClassification;
import dev.flywheel.crds.modelversion.ModelVersion;
import dev.flywheel.crds.modelversion.ModelVersionStatus;
import dev.flywheel.crds.modelversion.Stage;
import dev.flywheel.crds.modelversion.ValidationResult;
import dev.flywheel.crds.site.Site;
import dev.flywheel.operator.common.Conditions;
import dev.flywheel.operator.common.EventRecorder;
import dev.flywheel.operator.common.Labels;
import dev.flywheel.operator.common.Names;
import dev.flywheel.operator.common.RuntimeEventSources;
import dev.flywheel.operator.common.RuntimeJob;
import dev.flywheel.operator.placement.PlacementDecision;
import dev.flywheel.operator.placement.SiteCandidates;
import dev.flywheel.operator.placement.SiteLoad;
import dev.flywheel.operator.placement.SitePlacement;
import dev.flywheel.operator.common.SiteTarget;
import dev.flywheel.operator.site.RemoteClusters;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobStatus;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.api.reconciler.Cleaner;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.DeleteControl;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import dev.flywheel.operator.OperatorSettings;
import jakarta.inject.Inject;

/**
 * Reconciles a ModelVersion: validates its artifact once with a {@code flywheel-model validate} Job on a Site that
 * may hold its classification (digest, load, smoke inference), then makes its desired stage effective — only a
 * validated version may be Staging or Production, and promoting one to Production archives the model's previous
 * Production version. The stage label makes {@code kubectl get mv -l mlops.flywheel.dev/model=churn} the registry.
 */
@ControllerConfiguration(name = "modelversion")
public class ModelVersionReconciler implements Reconciler<ModelVersion>, Cleaner<ModelVersion> {
  static final String VALIDATED = "Validated";
  static final String READY = "Ready";

  @Inject
  OperatorSettings settings;

  @Override
  public List<EventSource<?, ModelVersion>> prepareEventSources(EventSourceContext<ModelVersion> context) {
    return RuntimeEventSources.of(context, ModelVersion.class, Labels.VALIDATION, mv -> mv.getStatus() == null
        || Conditions.find(mv.getStatus().getConditions(), VALIDATED).map(c -> c.getStatus() == ConditionStatus.Unknown).orElse(true));
  }

  @Override
  public UpdateControl<ModelVersion> reconcile(ModelVersion version, Context<ModelVersion> context) {
    KubernetesClient client = context.getClient();
    ModelVersionStatus status = version.getStatus() != null ? version.getStatus() : new ModelVersionStatus();
    version.setStatus(status);
    Duration retry = null;
    if (validationDecided(status).isEmpty()) {
      retry = validate(version, context, client);
    }
    applyStage(version, client);
    status.setObservedGeneration(version.getMetadata().getGeneration());
    boolean labelsChanged = syncLabels(version);
    UpdateControl<ModelVersion> control = labelsChanged ? UpdateControl.patchResourceAndStatus(version) : UpdateControl.patchStatus(version);
    return retry != null ? control.rescheduleAfter(retry) : control;
  }

  private static Optional<Boolean> validationDecided(ModelVersionStatus status) {
    return Conditions.find(status.getConditions(), VALIDATED)
        .filter(c -> c.getStatus() != ConditionStatus.Unknown)
        .map(c -> c.getStatus() == ConditionStatus.True);
  }

  /** Creates or observes the validation Job; returns when to look again (waiting for a Site, or polling a remote one). */
  private Duration validate(ModelVersion version, Context<ModelVersion> context, KubernetesClient client) {
    ModelVersionStatus status = version.getStatus();
    Long generation = version.getMetadata().getGeneration();
    if (!ValidatorJobBuilder.reachable(version)) {
      status.setPhase("Registered");
      Conditions.set(status.getConditions(), VALIDATED, ConditionStatus.Unknown, "ArtifactNotReachable",
          "this operator version validates pvc://, file:// and s3:// artifacts; " + version.getSpec().getArtifact().getUri() + " is not readable", generation);
      return null;
    }
    String siteName = SiteTarget.recordedSite(version);
    if (siteName == null) {
      List<Site> sites = client.resources(Site.class).list().getItems();
      DataClassification classification = version.getSpec().getClassification() != null ? version.getSpec().getClassification() : DataClassification.INTERNAL;
      PlacementDecision decision = SitePlacement.place(classification, SitePlacement.AUTO, SiteCandidates.of(sites, Map.of()));
      if (!decision.isPlaced()) {
        status.setPhase("Registered");
        if (Conditions.set(status.getConditions(), VALIDATED, ConditionStatus.Unknown, decision.reason(), "validation waits: " + decision.message(), generation)) {
          EventRecorder.warning(client, version, decision.reason(), "validation waits: " + decision.message());
        }
        return settings.placement().retry();
      }
      siteName = decision.site().get();
      SiteTarget.recordSite(client, ModelVersion.class, version, siteName);
    }
    Site site = client.resources(Site.class).withName(siteName).get();
    String jobName = Names.validation(version);
    try (SiteTarget target = SiteTarget.of(client, site, version)) {
      Optional<Job> job = target.findJob(context, jobName);
      if (job.isEmpty()) {
        if (site == null) {
          return settings.placement().retry();
        }
        target.createJob(ValidatorJobBuilder.build(version, siteName, site.getSpec(), settings.image(), !target.remote()));
        status.setPhase("Validating");
        Conditions.set(status.getConditions(), VALIDATED, ConditionStatus.Unknown, "Validating", "validation Job " + jobName + " runs on Site " + siteName, generation);
        EventRecorder.normal(client, version, "Validating", "validation Job " + jobName + " created on Site " + siteName);
        return target.remote() ? settings.remote().poll() : null;
      }
      JobStatus jobStatus = job.get().getStatus() != null ? job.get().getStatus() : new JobStatus();
      boolean complete = jobStatus.getSucceeded() != null && jobStatus.getSucceeded() > 0;
      boolean failed = SiteLoad.hasCondition(jobStatus, "Failed");
      if (!complete && !failed) {
        return target.remote() ? settings.remote().poll() : null;
      }
      ValidationOutcome outcome = ValidationOutcome.parse(RuntimeJob.terminationMessage(target.client().pods().inNamespace(target.namespace())
          .withLabel(Labels.MODEL_VERSION, version.getMetadata().getName()).list().getItems()).orElse(null));
      recordOutcome(version, client, complete && outcome.passed(), outcome);
      return null;
    } catch (RemoteClusters.Unreachable e) {
      Conditions.set(status.getConditions(), VALIDATED, ConditionStatus.Unknown, PlacementDecision.SITE_UNREACHABLE, e.getMessage(), generation);
      return settings.remote().poll();
    }
  }

  private static void recordOutcome(ModelVersion version, KubernetesClient client, boolean passed, ValidationOutcome outcome) {
    ModelVersionStatus status = version.getStatus();
    ValidationResult result = new ValidationResult();
    result.setTime(now());
    result.setObservedDigest(outcome.observedDigest());
    result.setDigestMatch(outcome.digestMatch());
    result.setSmokeTestPassed(outcome.smokeTestPassed());
    result.setMessage(passed ? null : outcome.reason());
    status.setValidation(result);
    String message = passed ? "digest " + version.getSpec().getArtifact().getDigest() + " matches; the model loads and answers" : outcome.reason();
    status.setPhase(passed ? "Validated" : "Invalid");
    Conditions.set(status.getConditions(), VALIDATED, passed ? ConditionStatus.True : ConditionStatus.False, outcome.conditionReason(), message,
        version.getMetadata().getGeneration());
    if (passed) {
      EventRecorder.normal(client, version, outcome.conditionReason(), message);
    } else {
      EventRecorder.warning(client, version, outcome.conditionReason(), message);
    }
  }

  /** Deletes the validation Job wherever it runs (locally its owner reference would do; remotely nothing else would). */
  @Override
  public DeleteControl cleanup(ModelVersion version, Context<ModelVersion> context) {
    return SiteTarget.deleteJob(context.getClient(), version, SiteTarget.recordedSite(version), Names.validation(version), settings.remote().poll());
  }

  /** Makes the desired stage effective when allowed; archives the model's previous Production version. */
  private void applyStage(ModelVersion version, KubernetesClient client) {
    ModelVersionStatus status = version.getStatus();
    Long generation = version.getMetadata().getGeneration();
    Stage desired = version.getSpec().getStage() != null ? version.getSpec().getStage() : Stage.None;
    Optional<Boolean> validated = validationDecided(status);
    if (needsValidation(desired) && !validated.orElse(false)) {
      String reason = validated.isEmpty() ? "ValidationPending" : "NotValidated";
      String message = "stage " + desired + " needs a validated version; " + (validated.isEmpty() ? "validation has not finished" : "validation failed");
      if (Conditions.set(status.getConditions(), READY, ConditionStatus.False, reason, message, generation)) {
        EventRecorder.warning(client, version, "PromotionRefused", message);
      }
      return;
    }
    String effective = desired.name();
    String previous = version.getMetadata().getLabels() == null ? null : version.getMetadata().getLabels().get(Labels.STAGE);
    if (!effective.equals(previous) && desired != Stage.None) {
      status.setPromotedAt(now());
      EventRecorder.normal(client, version, "Stage" + desired, "version " + version.getSpec().getVersion() + " of model " + version.getSpec().getModel() + " is now " + desired);
    }
    if (desired == Stage.Production) {
      archiveOtherProductionVersions(version, client);
    }
    if (desired != Stage.None) {
      status.setPhase(desired.name());
    }
    Conditions.set(status.getConditions(), READY, ConditionStatus.True, "Stage" + desired, "stage " + desired, generation);
  }

  /** Only a validated version may be served from Staging or Production. */
  private static boolean needsValidation(Stage stage) {
    return stage == Stage.Staging || stage == Stage.Production;
  }

  private static void archiveOtherProductionVersions(ModelVersion version, KubernetesClient client) {
    String promotedAt = version.getStatus().getPromotedAt();
    for (ModelVersion other : client.resources(ModelVersion.class).inNamespace(version.getMetadata().getNamespace()).list().getItems()) {
      boolean sameModel = other.getSpec() != null && version.getSpec().getModel().equals(other.getSpec().getModel());
      boolean otherProduction = sameModel && other.getSpec().getStage() == Stage.Production
          && !other.getMetadata().getName().equals(version.getMetadata().getName());
      String otherSince = other.getStatus() == null ? null : other.getStatus().getPromotedAt();
      boolean older = otherSince == null || promotedAt == null || otherSince.compareTo(promotedAt) <= 0;
      if (otherProduction && older) {
        client.resources(ModelVersion.class).inNamespace(other.getMetadata().getNamespace()).withName(other.getMetadata().getName())
            .edit(mv -> {
              mv.getSpec().setStage(Stage.Archived);
              return mv;
            });
        EventRecorder.normal(client, other, "StageArchived", "archived: " + version.getMetadata().getName() + " is the model's Production version now");
      }
    }
  }

  /** Labels that make the registry queryable; returns whether they changed. */
  private static boolean syncLabels(ModelVersion version) {
    Map<String, String> labels = version.getMetadata().getLabels() != null ? new HashMap<>(version.getMetadata().getLabels()) : new HashMap<>();
    Stage desired = version.getSpec().getStage() != null ? version.getSpec().getStage() : Stage.None;
    boolean allowed = !needsValidation(desired) || validationDecided(version.getStatus()).orElse(false);
    String effective = allowed ? desired.name() : labels.getOrDefault(Labels.STAGE, Stage.None.name());
    Map<String, String> wanted = new HashMap<>(labels);
    wanted.put(Labels.MODEL, version.getSpec().getModel());
    wanted.put(Labels.STAGE, effective);
    if (wanted.equals(labels)) {
      return false;
    }
    version.getMetadata().setLabels(wanted);
    return true;
  }

  private static String now() {
    return Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
  }
}
