package dev.flywheel.operator.common;

import dev.flywheel.crds.site.SiteSpec;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.EnvFromSourceBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpecBuilder;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.VolumeMountBuilder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The pod of every flywheel-model container (trainer, validator, model server), with named settings. What every such
 * pod shares is fixed here: restricted pod security, no API token, a writable /tmp (DJL's natives and caches) under a
 * read-only root, DJL offline, placement by Site, pvc:// mounts and credentials by {@code envFrom} of a referenced
 * Secret. A setting left unset stays out of the pod spec. One instance builds one pod template.
 */
public final class RuntimePod {
  /** The one container of every runtime pod; the operator reads its termination message. */
  public static final String CONTAINER = "flywheel-model";
  static final String SCRATCH = "/tmp";
  private static final String SCRATCH_VOLUME = "scratch";

  private String image;
  private List<String> args = List.of();
  private List<EnvVar> env = List.of();
  private StorageMounts storage = new StorageMounts();
  private List<SiteSpec> sites = List.of();
  private ResourceRequirements resources;
  private String credentialsSecret;
  private List<ContainerPort> ports = List.of();
  private Probe readinessProbe;
  private Probe livenessProbe;
  private Probe startupProbe;
  private Map<String, String> labels;
  private Map<String, String> annotations;
  private String restartPolicy;
  private Long terminationGracePeriodSeconds;

  public RuntimePod image(String image) {
    this.image = image;
    return this;
  }

  /** The flywheel-model command and its options. */
  public RuntimePod args(List<String> args) {
    this.args = List.copyOf(args);
    return this;
  }

  /** Environment variables added after the ones every runtime pod has. */
  public RuntimePod env(List<EnvVar> env) {
    this.env = List.copyOf(env);
    return this;
  }

  /** The pvc:// claims the args refer to; read when the pod is built, so map the URIs first. */
  public RuntimePod storage(StorageMounts storage) {
    this.storage = storage;
    return this;
  }

  /** The Sites the pod may run on ({@link PodPlacement}); none: anywhere in the cluster. */
  public RuntimePod sites(List<SiteSpec> sites) {
    this.sites = sites == null ? List.of() : new ArrayList<>(sites);
    return this;
  }

  /** One Site the pod runs on (its node selector and tolerations), or null for anywhere. */
  public RuntimePod site(SiteSpec site) {
    return sites(site == null ? List.of() : List.of(site));
  }

  public RuntimePod resources(ResourceRequirements resources) {
    this.resources = resources;
    return this;
  }

  /** A Secret whose keys become environment variables (referenced, never copied); null for none. */
  public RuntimePod credentialsSecret(String credentialsSecret) {
    this.credentialsSecret = credentialsSecret;
    return this;
  }

  public RuntimePod ports(List<ContainerPort> ports) {
    this.ports = List.copyOf(ports);
    return this;
  }

  public RuntimePod readinessProbe(Probe probe) {
    this.readinessProbe = probe;
    return this;
  }

  public RuntimePod livenessProbe(Probe probe) {
    this.livenessProbe = probe;
    return this;
  }

  public RuntimePod startupProbe(Probe probe) {
    this.startupProbe = probe;
    return this;
  }

  public RuntimePod labels(Map<String, String> labels) {
    this.labels = labels;
    return this;
  }

  public RuntimePod annotations(Map<String, String> annotations) {
    this.annotations = annotations;
    return this;
  }

  public RuntimePod restartPolicy(String restartPolicy) {
    this.restartPolicy = restartPolicy;
    return this;
  }

  public RuntimePod terminationGracePeriodSeconds(Long seconds) {
    this.terminationGracePeriodSeconds = seconds;
    return this;
  }

  public PodTemplateSpec build() {
    ContainerBuilder container = new ContainerBuilder()
        .withName(CONTAINER)
        .withImage(image)
        .withArgs(args)
        .withTerminationMessagePath("/dev/termination-log")
        .withTerminationMessagePolicy("File")
        .withEnv(new EnvVar("HOME", SCRATCH, null), new EnvVar("DJL_CACHE_DIR", SCRATCH + "/djl", null),
            new EnvVar("DJL_OFFLINE", "true", null), new EnvVar("OPT_OUT_TRACKING", "true", null))
        .addAllToEnv(env)
        .withSecurityContext(RestrictedPodSecurity.container())
        .withVolumeMounts(new VolumeMountBuilder().withName(SCRATCH_VOLUME).withMountPath(SCRATCH).build())
        .addAllToVolumeMounts(storage.mounts());
    if (resources != null) {
      container.withResources(resources);
    }
    if (credentialsSecret != null) {
      container.withEnvFrom(new EnvFromSourceBuilder().withNewSecretRef(credentialsSecret, false).build());
    }
    if (!ports.isEmpty()) {
      container.withPorts(ports);
    }
    if (readinessProbe != null) {
      container.withReadinessProbe(readinessProbe);
    }
    if (livenessProbe != null) {
      container.withLivenessProbe(livenessProbe);
    }
    if (startupProbe != null) {
      container.withStartupProbe(startupProbe);
    }
    PodPlacement placement = PodPlacement.of(sites);
    PodTemplateSpecBuilder pod = new PodTemplateSpecBuilder()
        .withNewMetadata().withLabels(labels).endMetadata()
        .withNewSpec()
          .withRestartPolicy(restartPolicy)
          .withTerminationGracePeriodSeconds(terminationGracePeriodSeconds)
          .withAutomountServiceAccountToken(false)
          .withSecurityContext(RestrictedPodSecurity.pod())
          .withNodeSelector(placement.nodeSelector())
          .withAffinity(placement.affinity())
          .withTolerations(placement.tolerations())
          .withContainers(container.build())
          .addToVolumes(new VolumeBuilder().withName(SCRATCH_VOLUME).withNewEmptyDir().endEmptyDir().build())
          .addAllToVolumes(storage.volumes())
        .endSpec();
    if (annotations != null && !annotations.isEmpty()) {
      pod.editMetadata().withAnnotations(annotations).endMetadata();
    }
    return pod.build();
  }
}
