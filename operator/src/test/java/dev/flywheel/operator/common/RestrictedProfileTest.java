package dev.flywheel.operator.common;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodSpecBuilder;
import org.junit.jupiter.api.Test;

/** The checker itself: it accepts Flywheel's settings and names each thing a weaker pod gets wrong. */
class RestrictedProfileTest {
  @Test
  void acceptsFlywheelsSettingsAndRefusesWeakerOnes() {
    PodSpec good = new PodSpecBuilder().withSecurityContext(RestrictedPodSecurity.pod())
        .addNewContainer().withName("c").withSecurityContext(RestrictedPodSecurity.container()).endContainer().build();
    assertThat(RestrictedProfile.violations(good)).isEmpty();

    PodSpec weak = new PodSpecBuilder().withHostNetwork(true)
        .addNewContainer().withName("c").withNewSecurityContext().withPrivileged(true).endSecurityContext().endContainer()
        .addNewVolume().withName("host").withNewHostPath().withPath("/").endHostPath().endVolume().build();
    assertThat(RestrictedProfile.violations(weak)).contains("host namespaces", "container c: privileged",
        "container c: allowPrivilegeEscalation must be false", "container c: runAsNonRoot must be true",
        "container c: capabilities must drop ALL").anyMatch(v -> v.startsWith("volume host"));
  }
}
