package dev.flywheel.operator.retraining;

import dev.flywheel.crds.modeldeployment.ModelDeployment;
import dev.flywheel.crds.modelversion.ModelVersion;
import dev.flywheel.crds.site.SiteSpec;
import dev.flywheel.crds.trainingjob.TrainingJob;
import dev.flywheel.operator.common.Labels;
import dev.flywheel.operator.common.RuntimeJob;
import dev.flywheel.operator.common.RuntimePod;
import dev.flywheel.operator.common.StorageMounts;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The batch Job that scores a retrained version and the version serving now on the same fresh holdout rows
 * ({@code flywheel-model validate --holdout … --baseline-bundle …}), so mustBeatCurrent compares like with like.
 * Owned by the retraining TrainingJob, so it goes with it.
 */
public final class ComparisonJobBuilder {
  public static final String COMPONENT = "comparison";
  /** The ModelDeployment a comparison decides for (its events go there). */
  public static final String FOR_DEPLOYMENT = dev.flywheel.crds.Flywheel.GROUP + "/compares-for";
  /** The retraining TrainingJob whose version is compared. */
  public static final String FOR_RETRAIN = dev.flywheel.crds.Flywheel.GROUP + "/compares-retrain";

  private ComparisonJobBuilder() {}

  /** {@code <retraining TrainingJob>-compare}: at most 58 characters. */
  public static String name(TrainingJob retrain) {
    return retrain.getMetadata().getName() + "-compare";
  }

  public static Job build(ModelDeployment deployment, TrainingJob retrain, ModelVersion candidate, ModelVersion current, String siteName,
      SiteSpec site, String image) {
    StorageMounts storage = new StorageMounts();
    List<String> args = new ArrayList<>(List.of("validate", "--bundle", bundle(storage, candidate),
        "--expected-digest", candidate.getSpec().getArtifact().getDigest()));
    for (String uri : deployment.getSpec().getRetraining().getPromotion().getHoldoutUris()) {
      args.add("--holdout");
      args.add(uri.startsWith("s3://") ? uri : storage.readPath(uri));
    }
    args.addAll(List.of("--baseline-bundle", bundle(storage, current), "--baseline-expected-digest", current.getSpec().getArtifact().getDigest(),
        "--termination-log", "/dev/termination-log"));
    Map<String, String> labels = new LinkedHashMap<>();
    labels.put("app.kubernetes.io/name", "flywheel-validator");
    labels.put("app.kubernetes.io/instance", name(retrain));
    labels.put(Labels.COMPONENT, COMPONENT);
    labels.put("app.kubernetes.io/part-of", "flywheel");
    labels.put(Labels.MANAGED_BY, Labels.OPERATOR);
    labels.put(Labels.MODEL, deployment.getSpec().getModel());
    // Not the deployment or training-job labels: the serving selector (PDB, HPA) and the trainer's pod lookup must not see these pods.
    labels.put(FOR_DEPLOYMENT, deployment.getMetadata().getName());
    labels.put(FOR_RETRAIN, retrain.getMetadata().getName());
    labels.put(Labels.SITE, siteName);
    var dataset = retrain.getSpec().getDataset();
    String credentials = dataset.getSecretRef() != null ? dataset.getSecretRef().getName() : null;
    return new RuntimeJob()
        .name(name(retrain))
        .namespace(deployment.getMetadata().getNamespace())
        .pod(new RuntimePod()
            .labels(labels)
            .image(image)
            .args(args)
            .storage(storage)
            .site(site)
            .credentialsSecret(credentials))
        .backoffLimit(1)
        .activeDeadlineSeconds(1800L)
        .owner(retrain)
        .build();
  }

  private static String bundle(StorageMounts storage, ModelVersion version) {
    String uri = version.getSpec().getArtifact().getUri();
    return uri.startsWith("s3://") ? uri : storage.readPath(uri);
  }
}
