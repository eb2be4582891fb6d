package dev.flywheel.operator.common;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.SecurityContext;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** Checks a pod spec against the Kubernetes "restricted" Pod Security Standard (v1.30 rules); lists every violation. */
public final class RestrictedProfile {
  private static final Set<String> ALLOWED_VOLUMES = Set.of("configMap", "csi", "downwardAPI", "emptyDir", "ephemeral",
      "persistentVolumeClaim", "projected", "secret");

  private RestrictedProfile() {}

  public static List<String> violations(PodSpec pod) {
    List<String> found = new ArrayList<>();
    if (Boolean.TRUE.equals(pod.getHostNetwork()) || Boolean.TRUE.equals(pod.getHostPID()) || Boolean.TRUE.equals(pod.getHostIPC())) {
      found.add("host namespaces");
    }
    boolean podNonRoot = pod.getSecurityContext() != null && Boolean.TRUE.equals(pod.getSecurityContext().getRunAsNonRoot());
    boolean podSeccomp = pod.getSecurityContext() != null && pod.getSecurityContext().getSeccompProfile() != null
        && Set.of("RuntimeDefault", "Localhost").contains(pod.getSecurityContext().getSeccompProfile().getType());
    if (pod.getSecurityContext() != null && Long.valueOf(0).equals(pod.getSecurityContext().getRunAsUser())) {
      found.add("pod runAsUser 0");
    }
    pod.getVolumes().forEach(v -> {
      boolean allowed = (v.getConfigMap() != null) || (v.getCsi() != null) || (v.getDownwardAPI() != null) || (v.getEmptyDir() != null)
          || (v.getEphemeral() != null) || (v.getPersistentVolumeClaim() != null) || (v.getProjected() != null) || (v.getSecret() != null);
      if (!allowed) {
        found.add("volume " + v.getName() + " is not one of " + ALLOWED_VOLUMES);
      }
    });
    List<Container> containers = new ArrayList<>(pod.getContainers());
    if (pod.getInitContainers() != null) {
      containers.addAll(pod.getInitContainers());
    }
    for (Container c : containers) {
      SecurityContext sc = c.getSecurityContext();
      String who = "container " + c.getName() + ": ";
      if (sc == null) {
        found.add(who + "no securityContext");
        continue;
      }
      if (Boolean.TRUE.equals(sc.getPrivileged())) found.add(who + "privileged");
      if (!Boolean.FALSE.equals(sc.getAllowPrivilegeEscalation())) found.add(who + "allowPrivilegeEscalation must be false");
      if (!(Boolean.TRUE.equals(sc.getRunAsNonRoot()) || (podNonRoot && sc.getRunAsNonRoot() == null))) found.add(who + "runAsNonRoot must be true");
      if (Long.valueOf(0).equals(sc.getRunAsUser())) found.add(who + "runAsUser 0");
      boolean seccomp = sc.getSeccompProfile() != null ? Set.of("RuntimeDefault", "Localhost").contains(sc.getSeccompProfile().getType()) : podSeccomp;
      if (!seccomp) found.add(who + "seccompProfile must be RuntimeDefault or Localhost");
      if (sc.getCapabilities() == null || sc.getCapabilities().getDrop() == null || !sc.getCapabilities().getDrop().contains("ALL")) {
        found.add(who + "capabilities must drop ALL");
      }
      if (sc.getCapabilities() != null && sc.getCapabilities().getAdd() != null
          && sc.getCapabilities().getAdd().stream().anyMatch(cap -> !cap.equals("NET_BIND_SERVICE"))) {
        found.add(who + "may add only NET_BIND_SERVICE");
      }
      if (c.getPorts() != null && c.getPorts().stream().anyMatch(p -> p.getHostPort() != null && p.getHostPort() != 0)) {
        found.add(who + "hostPort");
      }
    }
    return found;
  }
}
