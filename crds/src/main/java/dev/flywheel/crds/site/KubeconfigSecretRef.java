package dev.flywheel.crds.site;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import dev.flywheel.crds.common.Patterns;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import lombok.Data;

/** A key of a Secret that holds a kubeconfig; the operator reads it, never copies it. */
@Data
public class KubeconfigSecretRef {
  @Required
  @Size(max = 63)
  @Pattern(Patterns.DNS_LABEL)
  @JsonPropertyDescription("Namespace of the Secret (Sites are cluster-scoped). With the Helm chart's RBAC the operator reads Secrets only in its own namespace: keep kubeconfigs there.")
  private String namespace;

  @Required
  @Size(max = 253)
  @Pattern(Patterns.DNS_SUBDOMAIN)
  @JsonPropertyDescription("Name of the Secret.")
  private String name;

  @Default("kubeconfig")
  @Size(min = 1, max = 253)
  @JsonPropertyDescription("Key in the Secret whose value is the kubeconfig.")
  private String key;
}
