package dev.flywheel.crds.common;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import lombok.AllArgsConstructor;
import lombok.Data;
import lombok.NoArgsConstructor;

/** A Secret in the resource's own namespace; Flywheel references it and never copies its data. */
@Data
@NoArgsConstructor
@AllArgsConstructor
public class SecretReference {
  @Required
  @Pattern(Patterns.DNS_SUBDOMAIN)
  @JsonPropertyDescription("Name of the Secret in the same namespace. Each key becomes an environment variable of the pod that needs it (for example AWS_ACCESS_KEY_ID).")
  private String name;
}
