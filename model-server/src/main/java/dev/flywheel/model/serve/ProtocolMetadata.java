package dev.flywheel.model.serve;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.flywheel.model.bundle.ModelMetadata;
import dev.flywheel.model.data.FeatureSpec;
import java.util.List;

/**
 * The metadata documents of the Open Inference Protocol: the server's (GET /v2) and the model's
 * (GET /v2/models/{name}). The model's {@code inputs} describe every tensor the server accepts: when every feature
 * is numeric, first the batched tensor [-1, F] (one column per feature, in {@code parameters.columns} order), then
 * one tensor per feature ([-1], also taken as [-1, 1]); a request sends either the batched tensor or all the
 * per-feature ones, which {@code parameters.form} ("batched" or "per_feature") tells apart.
 */
final class ProtocolMetadata {
  /** The name the batched tensor is given in the metadata (any name that is not a feature's is taken). */
  static final String BATCHED_INPUT = "input";

  private final ServerSettings settings;
  private final ModelMetadata metadata;

  ProtocolMetadata(ServerSettings settings, ModelMetadata metadata) {
    this.settings = settings;
    this.metadata = metadata;
  }

  ObjectNode server() {
    ObjectNode node = ServerJson.object().put("name", "flywheel-model-server").put("version", serverVersion());
    node.putArray("extensions").add("feedback").add("drift");
    return node;
  }

  ObjectNode model() {
    ObjectNode node = ServerJson.object().put("name", settings.modelName()).put("platform", "flywheel-djl").put("task", metadata.task());
    node.putArray("versions").add(settings.modelVersion());
    ArrayNode inputs = node.putArray("inputs");
    List<FeatureSpec> features = metadata.features();
    if (features.stream().allMatch(FeatureSpec::isNumeric)) {
      ObjectNode batched = tensor(inputs, batchedName(features), "FP32", -1, features.size());
      ObjectNode parameters = batched.putObject("parameters").put("form", "batched");
      ArrayNode columns = parameters.putArray("columns");
      features.forEach(f -> columns.add(f.name()));
    }
    for (FeatureSpec f : features) {
      tensor(inputs, f.name(), f.isNumeric() ? "FP32" : "BYTES", -1).putObject("parameters").put("form", "per_feature");
    }
    ArrayNode outputs = node.putArray("outputs");
    if (metadata.isClassification()) {
      tensor(outputs, InferenceResponseWriter.PROBABILITIES, "FP32", -1, metadata.classes().size());
      tensor(outputs, InferenceResponseWriter.PREDICTED_CLASS, "BYTES", -1);
      ArrayNode classes = node.putArray("classes");
      metadata.classes().forEach(classes::add);
    } else {
      tensor(outputs, InferenceResponseWriter.PREDICTIONS, "FP32", -1);
    }
    return node;
  }

  private static ObjectNode tensor(ArrayNode into, String name, String datatype, int... shape) {
    ObjectNode tensor = into.addObject().put("name", name).put("datatype", datatype);
    ArrayNode dimensions = tensor.putArray("shape");
    for (int d : shape) {
      dimensions.add(d);
    }
    return tensor;
  }

  /** "input", or with underscores added until it is no feature's name (the reader takes it as the batched tensor). */
  private static String batchedName(List<FeatureSpec> features) {
    String name = BATCHED_INPUT;
    while (true) {
      String candidate = name;
      if (features.stream().noneMatch(f -> f.name().equals(candidate))) {
        return name;
      }
      name = "_" + name;
    }
  }

  private static String serverVersion() {
    String v = ProtocolMetadata.class.getPackage().getImplementationVersion();
    return v == null ? "dev" : v;
  }
}
