package dev.flywheel.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flywheel.crds.Flywheel;
import dev.flywheel.crds.common.Condition;
import dev.flywheel.crds.common.DataClassification;
import dev.flywheel.crds.modeldeployment.ModelDeployment;
import dev.flywheel.crds.site.Site;
import dev.flywheel.crds.trainingjob.TrainingJob;
import dev.flywheel.e2e.cluster.FlywheelCluster;
import io.fabric8.kubernetes.api.model.Pod;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Restricted data stays where it may be: with only the cloud Site (public and internal data), a TrainingJob on
 * restricted data — placed automatically or on the cloud by name — is trained nowhere and says why in status; once
 * the on-premises Site exists the waiting automatic one is trained there (nothing lost), the cloud one still waits.
 * A ModelDeployment of a version trained on restricted data, placed on the cloud, serves nothing there and says why.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RestrictedDataIT {
  private static final String TRAINING = "restricted-training";
  private static final String SERVING = "restricted-serving";
  private static final List<String> TEST_NAMESPACES = List.of(TRAINING, SERVING);
  private static final String TRAINER_OF = Flywheel.GROUP + "/training-job";
  private static FlywheelCluster cluster;

  @BeforeAll
  static void start() throws Exception {
    cluster = FlywheelCluster.open("RestrictedDataIT", TRAINING, SERVING);
  }

  @AfterAll
  static void stop() {
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  @Order(1)
  void restrictedTrainingWaitsWithOnlyACloudSiteAndRunsOnPremisesOnceItExists() throws Exception {
    ChurnSteps steps = new ChurnSteps(cluster, TRAINING);
    cluster.client().resources(Site.class).withName("onprem").delete();
    steps.applySites("cloud");
    String data = steps.writeData("churn/base.csv", ChurnSteps.churnCsv(600, 7));
    steps.apply(ChurnSteps.trainingJob("churn-auto", data, "restricted", "auto"));
    steps.apply(ChurnSteps.trainingJob("churn-on-cloud", data, "restricted", "cloud"));

    TrainingJob auto = awaitUnscheduled(steps, "churn-auto");
    TrainingJob onCloud = awaitUnscheduled(steps, "churn-on-cloud");
    assertWaitsBecause(auto, "no Site allows restricted data");
    assertWaitsBecause(onCloud, "Site cloud does not allow restricted data");
    // Three placement retries (5 s in the sandbox): still nothing trains, anywhere.
    steps.holdsFor("no trainer Job and no pod in " + TRAINING + ", and both TrainingJobs Pending", Duration.ofSeconds(16),
        () -> List.of(steps.jobs().size(), steps.pods().size(), phase(steps.trainingJob("churn-auto")), phase(steps.trainingJob("churn-on-cloud"))),
        seen -> seen.equals(List.of(0, 0, "Pending", "Pending")));
    assertThat(podsOnCloud()).as("pods on the cloud node").isEmpty();

    steps.applySites("onprem");
    TrainingJob trained = steps.await("the waiting TrainingJob churn-auto to be trained on Site onprem", Duration.ofSeconds(150),
        () -> steps.trainingJob("churn-auto"), job -> job.getStatus() != null && "Succeeded".equals(phase(job)));
    assertThat(trained.getStatus().getSite()).isEqualTo("onprem");
    assertThat(trained.getStatus().getModelVersion()).as("its ModelVersion").isNotNull();
    assertThat(ChurnSteps.condition(trained.getStatus().getConditions(), "Scheduled")).get()
        .satisfies(c -> assertThat(c.getReason()).isEqualTo("Placed"));
    TrainingJob stillWaiting = steps.trainingJob("churn-on-cloud");
    assertThat(phase(stillWaiting)).as("the TrainingJob asking for the cloud by name").isEqualTo("Pending");
    assertWaitsBecause(stillWaiting, "Site cloud does not allow restricted data");
    assertThat(trainerJobs(steps, "churn-auto")).as("trainer Jobs of churn-auto").isEqualTo(1);
    assertThat(trainerJobs(steps, "churn-on-cloud")).as("trainer Jobs of churn-on-cloud").isZero();
    assertThat(podsOnCloud()).as("pods on the cloud node").isEmpty();
  }

  @Test
  @Order(2)
  void aModelTrainedOnRestrictedDataIsNotServedOnTheCloud() throws Exception {
    ChurnSteps steps = new ChurnSteps(cluster, SERVING);
    steps.applySites("onprem", "cloud");
    String version = steps.trainValidated("churn-v1", steps.writeData("churn/base.csv", ChurnSteps.churnCsv(600, 9)));
    assertThat(steps.modelVersion(version).getSpec().getClassification()).as("the version inherits its data's classification")
        .isEqualTo(DataClassification.RESTRICTED);
    steps.apply(ChurnSteps.modelDeployment("version: " + version, 1, "cloud"));
    ModelDeployment refused = steps.await("ModelDeployment churn to say why it serves nothing", Duration.ofSeconds(60),
        () -> steps.modelDeployment("churn"), md -> md.getStatus() != null
            && "False".equals(ChurnSteps.conditionStatus(md.getStatus().getConditions(), "Ready"))
            && "NoEligibleSite".equals(ChurnSteps.condition(md.getStatus().getConditions(), "Ready").get().getReason()));
    Condition ready = ChurnSteps.condition(refused.getStatus().getConditions(), "Ready").orElseThrow();
    assertThat(ready.getMessage()).as("Ready message").contains("restricted").contains(version);
    assertThat(refused.getStatus().getCurrentVersion()).as("currentVersion").isNull();
    assertThat(refused.getStatus().getSites()).as("status.sites").isNullOrEmpty();
    // Two serving resyncs (5 s in the sandbox): no Deployment, no serving pod, nothing on the cloud node.
    steps.holdsFor("no Deployment and no serving pod in " + SERVING, Duration.ofSeconds(11),
        () -> List.of(steps.deployments().size(), servingPods(steps).size(), podsOnCloud().size()),
        seen -> seen.equals(List.of(0, 0, 0)));

    steps.apply(ChurnSteps.modelDeployment("version: " + version, 1, "onprem", "cloud"));
    ModelDeployment served = steps.await("ModelDeployment churn to serve " + version + " on premises", Duration.ofSeconds(90),
        () -> steps.modelDeployment("churn"), md -> md.getStatus() != null && version.equals(md.getStatus().getCurrentVersion())
            && "True".equals(ChurnSteps.conditionStatus(md.getStatus().getConditions(), "Ready")));
    assertThat(served.getStatus().getSites()).as("status.sites").containsExactly("onprem");
    assertThat(servingPods(steps)).as("serving pods").isNotEmpty()
        .allSatisfy(pod -> assertThat(nodesOf("onprem")).contains(pod.getSpec().getNodeName()));
    assertThat(podsOnCloud()).as("pods on the cloud node").isEmpty();
    assertThat(steps.infer(steps.serviceUrl("churn"))).as("a request to the on-premises server").isEqualTo(200);
  }

  private static TrainingJob awaitUnscheduled(ChurnSteps steps, String name) throws InterruptedException {
    return steps.await("TrainingJob " + name + " to say why it is not placed", Duration.ofSeconds(60), () -> steps.trainingJob(name),
        job -> job.getStatus() != null && "False".equals(ChurnSteps.conditionStatus(job.getStatus().getConditions(), "Scheduled")));
  }

  /** Pending, Scheduled=False with reason NoEligibleSite and a message naming the classification; no Site, no Job. */
  private static void assertWaitsBecause(TrainingJob job, String message) {
    String name = job.getMetadata().getName();
    assertThat(phase(job)).as("phase of %s", name).isEqualTo("Pending");
    for (String type : List.of("Scheduled", "Ready")) {
      Condition condition = ChurnSteps.condition(job.getStatus().getConditions(), type).orElseThrow(
          () -> new AssertionError("no " + type + " condition on " + name + ": " + job.getStatus()));
      assertThat(condition.getStatus()).as("%s of %s", type, name).hasToString("False");
      assertThat(condition.getReason()).as("%s reason of %s", type, name).isEqualTo("NoEligibleSite");
      assertThat(condition.getMessage()).as("%s message of %s", type, name).contains(message);
    }
    assertThat(job.getStatus().getMessage()).as("status.message of %s", name).contains(message);
    assertThat(job.getStatus().getSite()).as("site of %s", name).isNull();
    assertThat(job.getStatus().getJobName()).as("jobName of %s", name).isNull();
  }

  private static String phase(TrainingJob job) {
    return job == null || job.getStatus() == null ? null : String.valueOf(job.getStatus().getPhase());
  }

  private static int trainerJobs(ChurnSteps steps, String trainingJob) {
    return steps.client().batch().v1().jobs().inNamespace(steps.namespace()).withLabel(TRAINER_OF, trainingJob).list().getItems().size();
  }

  /** Pods, in any namespace, on a node of the cloud Site's pool. */
  private static List<Pod> podsOnCloud() {
    Set<String> cloudNodes = nodesOf("cloud");
    return cluster.client().pods().inAnyNamespace().list().getItems().stream()
        .filter(pod -> TEST_NAMESPACES.contains(pod.getMetadata().getNamespace())) // a real cluster's DaemonSets run there too
        .filter(pod -> cloudNodes.contains(pod.getSpec().getNodeName())).toList();
  }

  /** The nodes a node-pool Site selects (its nodeSelector); at least one. */
  private static Set<String> nodesOf(String siteName) {
    Site site = cluster.client().resources(Site.class).withName(siteName).get();
    Set<String> nodes = cluster.client().nodes().withLabels(site.getSpec().getNodeSelector()).list().getItems().stream()
        .map(node -> node.getMetadata().getName()).collect(Collectors.toSet());
    assertThat(nodes).as("nodes of Site %s", siteName).isNotEmpty();
    return nodes;
  }

  /** Pods that are not a Job's (the trainer's and the validator's are). */
  private static List<Pod> servingPods(ChurnSteps steps) {
    return steps.pods().stream().filter(pod -> pod.getMetadata().getOwnerReferences().stream()
        .noneMatch(owner -> Objects.equals("Job", owner.getKind()))).toList();
  }
}
