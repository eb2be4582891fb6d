package dev.flywheel.crds.trainingjob;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import dev.flywheel.crds.common.DataClassification;
import dev.flywheel.crds.common.Patterns;
import dev.flywheel.crds.common.SecretReference;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.List;
import lombok.Data;

/** The training data of a TrainingJob. */
@Data
@ValidationRule(
    value = "!has(self.features) || !(self.label in self.features)",
    message = "the label column must not also be listed as a feature",
    fieldPath = ".features")
@ValidationRule(
    value = "!has(self.secretRef) || self.uri.startsWith('s3://') || self.uri.startsWith('https://')",
    message = "secretRef applies only to s3:// and https:// datasets",
    fieldPath = ".secretRef")
public class Dataset {
  @Required
  @Size(max = 2048)
  @Pattern(Patterns.DATA_URI)
  @JsonPropertyDescription("Location of the data: pvc://<claim>/<path>, s3://<bucket>/<key>, https://<host>/<path> or file:///<path>. A URI ending in / is a directory of CSV shards with one header (https has no listing).")
  private String uri;

  @Size(max = 16)
  @JsonPropertyDescription("More data read after uri, matched to it by column name: for example the directory a ModelDeployment captures labelled traffic to. The dataset digest covers every shard of every location.")
  private List<@Pattern(Patterns.DATA_URI) String> additionalUris;

  @Default("csv")
  @JsonPropertyDescription("File format of the data. csv: comma-separated with a header row.")
  private DatasetFormat format;

  @Required
  @Size(min = 1, max = 256)
  @JsonPropertyDescription("Name of the column that holds the value to predict.")
  private String label;

  @Size(min = 1, max = 1000)
  @JsonPropertyDescription("Columns to use as inputs, in order. When omitted, every column but the label is a feature.")
  private List<String> features;

  @Default("internal")
  @JsonPropertyDescription("How sensitive the data is: public, internal or restricted. The job runs only on a Site that allows it, and the model inherits it.")
  private DataClassification classification;

  @JsonPropertyDescription("Secret with credentials for s3:// or https:// data; referenced by the trainer pod, never copied.")
  private SecretReference secretRef;
}
