package dev.flywheel.crds.modeldeployment;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import dev.flywheel.crds.common.Patterns;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;
import lombok.Data;

/** Settings of the model-server pods. */
@Data
public class ServerSettings {
  @Size(max = 512)
  @JsonPropertyDescription("Model-server image to use instead of the operator's default.")
  private String image;

  @Default("32")
  @Min(1)
  @Max(1024)
  @JsonPropertyDescription("Most requests combined into one batched inference (1 turns batching off).")
  private Integer maxBatchSize;

  @Default("2ms")
  @Pattern(Patterns.DURATION)
  @JsonPropertyDescription("Longest a request waits for others to fill a batch, as a duration (for example 2ms).")
  private String maxBatchDelay;

  @Default("256")
  @Min(1)
  @Max(100000)
  @JsonPropertyDescription("Requests a pod handles at once; more are refused with 429 instead of queueing without bound.")
  private Integer maxConcurrentRequests;

  @Default("10s")
  @Pattern(Patterns.DURATION)
  @JsonPropertyDescription("Longest a request may take before it is answered with 503.")
  private String requestTimeout;

  @Default("false")
  @JsonPropertyDescription("Also serve the Open Inference Protocol over gRPC (KServe's inference.GRPCInferenceService, the"
      + " same model, limits and metrics as HTTP) on port 8081, named grpc on the pods and the Services. Probes stay on HTTP.")
  private Boolean grpc;
}
