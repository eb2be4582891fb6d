package dev.flywheel.operator.serving;

import dev.flywheel.crds.modeldeployment.ModelDeployment;
import dev.flywheel.crds.modelversion.ModelVersion;
import dev.flywheel.crds.site.SiteSpec;
import io.fabric8.kubernetes.api.model.Toleration;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.List;
import java.util.Map;

/** ModelDeployments, ModelVersions and Sites for the serving builders' tests, written as YAML. */
final class ServingFixtures {
  static final String DIGEST = "sha256:" + "ab".repeat(32);

  private ServingFixtures() {}

  static ModelDeployment mdep(String yamlSpec) {
    return Serialization.unmarshal("""
        apiVersion: mlops.flywheel.dev/v1alpha1
        kind: ModelDeployment
        metadata: {name: churn, namespace: ml, uid: mdep-uid}
        spec:
        """ + yamlSpec.indent(2), ModelDeployment.class);
  }

  static ModelVersion version(String name, String artifact) {
    return Serialization.unmarshal("""
        apiVersion: mlops.flywheel.dev/v1alpha1
        kind: ModelVersion
        metadata: {name: %s, namespace: ml, uid: mv-uid}
        spec:
          model: churn
          version: 3
          artifact: %s
        """.formatted(name, artifact), ModelVersion.class);
  }

  static ServedVersion pvcVersion() {
    return ServedVersion.of(version("churn-v3", "{uri: \"pvc://models/churn/churn-3\", digest: \"" + DIGEST + "\"}"));
  }

  static SiteSpec site(Map<String, String> nodeSelector, Toleration... tolerations) {
    SiteSpec site = new SiteSpec();
    site.setNodeSelector(nodeSelector);
    site.setTolerations(tolerations.length == 0 ? null : List.of(tolerations));
    return site;
  }

  static Toleration toleration(String key, String value) {
    return new Toleration("NoSchedule", key, "Equal", null, value);
  }
}
