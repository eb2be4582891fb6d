package dev.flywheel.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.flywheel.crds.validation.RepoPaths;
import dev.flywheel.e2e.cluster.FlywheelCluster;
import dev.flywheel.e2e.cluster.Kubectl;
import dev.flywheel.e2e.cluster.Kubectl.Run;
import dev.flywheel.sandbox.story.ChurnData;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A user drives a running Flywheel with nothing but the real kubectl and examples/sandbox/: apply, wait for the
 * operator's conditions, read `get flywheel`, promote with a patch, serve, scale through the /scale subresource until
 * the pods are ready, explain a field, and see an invalid manifest refused with the field named.
 */
class KubectlDrivesFlywheelIT {
  private static final String NAMESPACE = "sandbox";

  @TempDir Path work;

  @Test
  void kubectlAppliesWaitsPromotesServesAndScalesAsOnACluster() throws Exception {
    assumeTrue(Kubectl.installed(), "kubectl is not at " + Kubectl.BINARY + "; skipped");
    try (FlywheelCluster cluster = FlywheelCluster.open("KubectlDrivesFlywheelIT", NAMESPACE)) {
      Kubectl kubectl = new Kubectl(cluster.kubeconfig(), work);
      Path base = ChurnData.writeCsv(work.resolve("base.csv"), 1500, 7);
      cluster.writeToClaim(NAMESPACE, "customer-data", "churn/base.csv", Files.readAllBytes(base));

      ok(kubectl.run("apply", "-f", "examples/sandbox/sites.yaml"));
      ok(kubectl.run(90, "wait", "--for=condition=Ready", "site/onprem", "site/cloud", "--timeout=80s"));

      ok(kubectl.run("apply", "-f", "examples/sandbox/trainingjob.yaml"));
      ok(kubectl.run(300, "wait", "--for=condition=Ready", "trainingjob/churn-v1", "-n", NAMESPACE, "--timeout=280s"));
      Run trained = ok(kubectl.run("get", "trainingjob", "churn-v1", "-n", NAMESPACE, "-o", "jsonpath={.status.phase} {.status.site} {.status.modelVersion}"));
      assertThat(trained.out()).as("restricted data trained on premises").isEqualTo("Succeeded onprem churn-v1");

      ok(kubectl.run(120, "wait", "--for=condition=Validated", "modelversion/churn-v1", "-n", NAMESPACE, "--timeout=110s"));
      ok(kubectl.run("patch", "mv", "churn-v1", "-n", NAMESPACE, "--type", "merge", "-p", "{\"spec\":{\"stage\":\"Production\"}}"));
      ok(kubectl.run("apply", "-f", "examples/sandbox/modeldeployment.yaml"));
      ok(kubectl.run(200, "wait", "--for=condition=Ready", "modeldeployment/churn", "-n", NAMESPACE, "--timeout=190s"));

      Run flywheel = ok(kubectl.run("get", "flywheel", "-n", NAMESPACE));
      assertThat(flywheel.out()).as("printer columns of every kind")
          .containsPattern("trainingjob\\.mlops\\.flywheel\\.dev/churn-v1\\s+churn\\s+\\S*\\s*Succeeded")
          .containsPattern("modelversion\\.mlops\\.flywheel\\.dev/churn-v1\\s+churn\\s+.*Production")
          .containsPattern("modeldeployment\\.mlops\\.flywheel\\.dev/churn\\s+churn\\s+churn-v1");

      ok(kubectl.run("scale", "mdep", "churn", "-n", NAMESPACE, "--replicas=3"));
      ok(kubectl.run(200, "wait", "--for=jsonpath={.status.readyReplicas}=3", "modeldeployment/churn", "-n", NAMESPACE,
          "--timeout=190s"));
      Run pods = ok(kubectl.run("get", "pods", "-n", NAMESPACE, "-l", "mlops.flywheel.dev/deployment=churn",
          "-o", "jsonpath={range .items[*]}{.status.phase}{\" \"}{end}"));
      assertThat(pods.out().trim().split(" ")).as("three serving pods").containsOnly("Running").hasSize(3);

      Run explain = ok(kubectl.run("explain", "modeldeployment.spec.retraining.triggers.for"));
      assertThat(explain.out()).contains("FIELD: for");

      Path invalid = Files.writeString(work.resolve("invalid.yaml"),
          Files.readString(RepoPaths.root().resolve("examples/sandbox/modeldeployment.yaml"))
              .replace("name: churn\n", "name: churn-invalid\n").replace("replicas: 2", "replicas: -2"));
      Run refused = kubectl.run("apply", "-f", invalid.toString());
      assertThat(refused.exitCode()).as(refused.all()).isNotZero();
      assertThat(refused.err()).contains("spec.replicas", "greater than or equal to 0");
      assertThat(kubectl.run("get", "mdep", "churn-invalid", "-n", NAMESPACE).exitCode()).as("nothing stored").isNotZero();
    }
  }

  private static Run ok(Run run) {
    assertThat(run.exitCode()).as(run.all()).isZero();
    return run;
  }
}
