package dev.flywheel.crds.site;

import com.fasterxml.jackson.annotation.JsonClassDescription;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import dev.flywheel.crds.common.DataClassification;
import dev.flywheel.crds.common.Patterns;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import io.fabric8.kubernetes.api.model.Toleration;
import java.util.List;
import java.util.Map;
import lombok.Data;

/** Where a Site is, which data it may hold, and how much work it takes. */
@JsonClassDescription("The desired state: where this Site is, which data it may hold, and how much work it takes.")
@Data
@ValidationRule(
    value = "self.type == 'remoteCluster' ? has(self.kubeconfigSecretRef) : !has(self.kubeconfigSecretRef)",
    message = "a remoteCluster site needs kubeconfigSecretRef, and a nodePool site must not have one",
    fieldPath = ".kubeconfigSecretRef")
@ValidationRule(
    value = "self.type == 'remoteCluster' || !has(self.__namespace__)",
    message = "namespace applies only to remoteCluster sites",
    fieldPath = ".namespace")
@ValidationRule(
    value = "self.type == 'nodePool' || (!has(self.nodeSelector) && !has(self.tolerations))",
    message = "nodeSelector and tolerations apply only to nodePool sites",
    fieldPath = ".nodeSelector")
public class SiteSpec {
  @Required
  @JsonPropertyDescription("nodePool: nodes of this cluster picked by nodeSelector and tolerations. remoteCluster: another cluster reached with the kubeconfig in kubeconfigSecretRef.")
  private SiteType type;

  @Size(max = 32)
  @JsonPropertyDescription("Node labels that pods placed on this nodePool site must match.")
  private Map<String, String> nodeSelector;

  @Size(max = 32)
  @JsonPropertyDescription("Tolerations added to pods placed on this nodePool site (for tainted node pools).")
  private List<Toleration> tolerations;

  @JsonPropertyDescription("The Secret holding the remote cluster's kubeconfig; required for remoteCluster sites.")
  private KubeconfigSecretRef kubeconfigSecretRef;

  @Size(max = 63)
  @Pattern(Patterns.DNS_LABEL)
  @JsonPropertyDescription("Namespace in the remote cluster where work is created (remoteCluster only; default: default).")
  private String namespace;

  @Default("[\"public\", \"internal\"]")
  @Size(max = 3)
  @ValidationRule(value = "self.all(c, self.exists_one(d, d == c))", message = "classifications must not repeat")
  @JsonPropertyDescription("Data classifications this site may hold: public, internal, restricted. Work on data of any other classification never runs here.")
  private List<DataClassification> allowedClassifications;

  @Default("false")
  @JsonPropertyDescription("A burst site takes automatically placed work only when every eligible non-burst site is full.")
  private Boolean burst;

  @Default("0")
  @Min(-1000)
  @Max(1000)
  @JsonPropertyDescription("Automatic placement prefers sites with a higher priority.")
  private Integer priority;

  @Min(0)
  @JsonPropertyDescription("Most TrainingJobs running here at once; omitted means no limit.")
  private Integer maxConcurrentTrainingJobs;
}
