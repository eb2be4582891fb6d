package dev.flywheel.crds.modeldeployment;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import lombok.Data;

/** Labelled production traffic that the model servers keep as CSV shards, so a retrained model sees the new world. */
@Data
public class Capture {
  @Required
  @Size(max = 2048)
  @Pattern("^(pvc://[a-z0-9]([-a-z0-9]*[a-z0-9])?(/.*)?|file:///.*)/$")
  @JsonPropertyDescription("Directory the servers write shards to, ending in /: pvc://<claim>/<path>/ (mounted read-write in every serving pod, so ReadWriteMany) or file:///<path>/. The servers run only on Sites that allow the model's classification, and so does the data they keep. Point a retraining template's dataset.additionalUris at it.")
  private String uri;

  @Default("1.0")
  @Min(0.0001)
  @Max(1.0)
  @JsonPropertyDescription("Share of requests kept for their labels, in (0, 1]; chosen by request id.")
  private Double sampleRate;

  @Default("10000")
  @Min(1)
  @Max(100000)
  @JsonPropertyDescription("Most scored rows a pod holds in memory waiting for their /v1/feedback labels; the oldest go first.")
  private Integer maxPendingRows;

  @Default("15m")
  @Pattern(dev.flywheel.crds.common.Patterns.DURATION)
  @JsonPropertyDescription("Longest time a shard stays open before it is closed and visible to retraining (a duration such as 15m): a retraining TrainingJob sees a labelled row at most this long after its label came.")
  private String maxShardAge;
}
