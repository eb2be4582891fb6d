package dev.flywheel.operator.common;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flywheel.crds.site.SiteSpec;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPortBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.ProbeBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What every flywheel-model pod shares, and what its named settings add. */
class RuntimePodTest {
  @Test
  void everyPodIsRestrictedOfflineWithoutTokenAndWritesOnlyToScratch() {
    PodTemplateSpec pod = new RuntimePod().image("flywheel/model:1").args(List.of("validate")).build();
    assertThat(RestrictedProfile.violations(pod.getSpec())).isEmpty();
    assertThat(pod.getSpec().getAutomountServiceAccountToken()).isFalse();
    Container c = pod.getSpec().getContainers().get(0);
    assertThat(c.getName()).isEqualTo(RuntimePod.CONTAINER).isEqualTo(RuntimeJob.CONTAINER);
    assertThat(c.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
    assertThat(c.getEnv()).extracting(e -> e.getName() + "=" + e.getValue())
        .containsExactly("HOME=/tmp", "DJL_CACHE_DIR=/tmp/djl", "DJL_OFFLINE=true", "OPT_OUT_TRACKING=true");
    assertThat(c.getVolumeMounts()).extracting(m -> m.getName() + ":" + m.getMountPath()).containsExactly("scratch:/tmp");
    assertThat(pod.getSpec().getVolumes()).singleElement().satisfies(v -> assertThat(v.getEmptyDir()).isNotNull());
    assertThat(pod.getSpec().getRestartPolicy()).isNull();
    assertThat(pod.getSpec().getTerminationGracePeriodSeconds()).isNull();
    assertThat(c.getPorts()).isNullOrEmpty();
    assertThat(c.getReadinessProbe()).isNull();
    assertThat(c.getEnvFrom()).isNullOrEmpty();
    assertThat(pod.getMetadata().getAnnotations()).isNullOrEmpty();
  }

  @Test
  void namedSettingsLandWhereTheyBelong() {
    StorageMounts storage = new StorageMounts();
    String bundle = storage.readPath("pvc://models/churn/3");
    SiteSpec site = new SiteSpec();
    site.setNodeSelector(Map.of("pool", "ml"));
    PodTemplateSpec pod = new RuntimePod()
        .image("flywheel/model:1")
        .args(List.of("serve", "--bundle", bundle))
        .env(List.of(new EnvVar("EXTRA", "1", null)))
        .storage(storage)
        .site(site)
        .credentialsSecret("s3")
        .ports(List.of(new ContainerPortBuilder().withName("http").withContainerPort(8080).build()))
        .readinessProbe(new ProbeBuilder().withPeriodSeconds(5).build())
        .livenessProbe(new ProbeBuilder().withPeriodSeconds(10).build())
        .startupProbe(new ProbeBuilder().withPeriodSeconds(2).build())
        .labels(Map.of("a", "b"))
        .annotations(Map.of("c", "d"))
        .restartPolicy("Always")
        .terminationGracePeriodSeconds(30L)
        .build();
    Container c = pod.getSpec().getContainers().get(0);
    assertThat(c.getArgs()).containsExactly("serve", "--bundle", "/mnt/pvc/models/churn/3");
    assertThat(c.getEnv()).extracting(EnvVar::getName).containsExactly("HOME", "DJL_CACHE_DIR", "DJL_OFFLINE", "OPT_OUT_TRACKING", "EXTRA");
    assertThat(c.getEnvFrom()).singleElement().satisfies(e -> assertThat(e.getSecretRef().getName()).isEqualTo("s3"));
    assertThat(c.getPorts()).extracting(p -> p.getName() + ":" + p.getContainerPort()).containsExactly("http:8080");
    assertThat(c.getReadinessProbe().getPeriodSeconds()).isEqualTo(5);
    assertThat(c.getLivenessProbe().getPeriodSeconds()).isEqualTo(10);
    assertThat(c.getStartupProbe().getPeriodSeconds()).isEqualTo(2);
    assertThat(c.getVolumeMounts()).extracting(m -> m.getMountPath() + ":" + m.getReadOnly()).containsExactly("/tmp:null", "/mnt/pvc/models:true");
    assertThat(pod.getMetadata().getLabels()).isEqualTo(Map.of("a", "b"));
    assertThat(pod.getMetadata().getAnnotations()).isEqualTo(Map.of("c", "d"));
    assertThat(pod.getSpec().getNodeSelector()).isEqualTo(Map.of("pool", "ml"));
    assertThat(pod.getSpec().getRestartPolicy()).isEqualTo("Always");
    assertThat(pod.getSpec().getTerminationGracePeriodSeconds()).isEqualTo(30L);
    assertThat(RestrictedProfile.violations(pod.getSpec())).isEmpty();
  }

  @Test
  void aJobCarriesItsPodsLabelsAndNeverRestartsItUnlessTold() {
    Job job = new RuntimeJob().name("j").namespace("ml")
        .pod(new RuntimePod().image("i").labels(Map.of("app", "x")))
        .backoffLimit(1).activeDeadlineSeconds(60L).ttlSecondsAfterFinished(30)
        .build();
    assertThat(job.getMetadata().getName()).isEqualTo("j");
    assertThat(job.getMetadata().getNamespace()).isEqualTo("ml");
    assertThat(job.getMetadata().getLabels()).isEqualTo(Map.of("app", "x"));
    assertThat(job.getMetadata().getOwnerReferences()).isNullOrEmpty();
    assertThat(job.getSpec().getTemplate().getMetadata().getLabels()).isEqualTo(Map.of("app", "x"));
    assertThat(job.getSpec().getTemplate().getSpec().getRestartPolicy()).isEqualTo("Never");
    assertThat(job.getSpec().getBackoffLimit()).isEqualTo(1);
    assertThat(job.getSpec().getActiveDeadlineSeconds()).isEqualTo(60L);
    assertThat(job.getSpec().getTtlSecondsAfterFinished()).isEqualTo(30);
    assertThat(new RuntimeJob().pod(new RuntimePod().restartPolicy("OnFailure")).build().getSpec().getTemplate().getSpec().getRestartPolicy())
        .isEqualTo("OnFailure");
  }
}
