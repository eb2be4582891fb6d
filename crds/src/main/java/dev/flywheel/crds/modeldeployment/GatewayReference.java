package dev.flywheel.crds.modeldeployment;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import dev.flywheel.crds.common.Patterns;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import lombok.Data;

/** A Gateway API Gateway that the deployment's HTTPRoute attaches to, for exact canary weights. */
@Data
public class GatewayReference {
  @Required
  @Size(max = 253)
  @Pattern(Patterns.DNS_SUBDOMAIN)
  @JsonPropertyDescription("Name of the Gateway (gateway.networking.k8s.io/v1).")
  private String name;

  @Size(max = 63)
  @Pattern(Patterns.DNS_LABEL)
  @JsonPropertyDescription("Namespace of the Gateway; default: the ModelDeployment's namespace.")
  private String namespace;

  @Size(max = 253)
  @Pattern(Patterns.DNS_SUBDOMAIN)
  @JsonPropertyDescription("Listener of the Gateway to attach to; default: every listener that allows the route.")
  private String sectionName;

  @Size(max = 16)
  @JsonPropertyDescription("Host names the route answers for; default: those of the Gateway's listeners.")
  private java.util.List<String> hostnames;
}
