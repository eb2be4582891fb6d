package dev.flywheel.model.serve;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.flywheel.model.bundle.ModelMetadata;
import dev.flywheel.model.data.FeatureSpec;

/** The metadata documents of the Open Inference Protocol: the server's (GET /v2) and the model's (GET /v2/models/{name}). */
final class ProtocolMetadata {
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
    for (FeatureSpec f : metadata.features()) {
      ObjectNode input = inputs.addObject().put("name", f.name()).put("datatype", f.isNumeric() ? "FP32" : "BYTES");
      input.putArray("shape").add(-1);
    }
    ArrayNode outputs = node.putArray("outputs");
    if (metadata.isClassification()) {
      outputs.addObject().put("name", "probabilities").put("datatype", "FP32").putArray("shape").add(-1).add(metadata.classes().size());
      outputs.addObject().put("name", "predicted_class").put("datatype", "BYTES").putArray("shape").add(-1);
      ArrayNode classes = node.putArray("classes");
      metadata.classes().forEach(classes::add);
    } else {
      outputs.addObject().put("name", "predictions").put("datatype", "FP32").putArray("shape").add(-1);
    }
    return node;
  }

  private static String serverVersion() {
    String v = ProtocolMetadata.class.getPackage().getImplementationVersion();
    return v == null ? "dev" : v;
  }
}
