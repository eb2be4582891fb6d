package dev.flywheel.model.infer;

import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.nn.Block;
import ai.djl.nn.core.Linear;
import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * The tensors a loaded network declares: its inputs and outputs with their element types and shapes (-1 for a
 * dimension it leaves open). Read from the ONNX Runtime session's metadata for ONNX files and from the Linear layers of
 * a DJL block; empty when the engine cannot tell (TorchScript), in which case only the probe at load checks the model.
 */
public record ModelSignature(List<Tensor> inputs, List<Tensor> outputs) {
  /** Nothing known in advance. */
  public static final ModelSignature UNKNOWN = new ModelSignature(List.of(), List.of());
  static final String FLOAT = "FLOAT";

  /** One declared tensor; type is ONNX Runtime's Java type name (FLOAT, DOUBLE, INT64, …) or a kind such as "sequence". */
  public record Tensor(String name, String type, long[] shape) {
    @Override
    public String toString() {
      return "'" + name + "' " + type + " " + Arrays.toString(shape).replace("-1", "?");
    }
  }

  public boolean known() {
    return !inputs.isEmpty();
  }

  /** Reads the declared inputs and outputs of an ONNX file through an ONNX Runtime session (closed afterwards). */
  static ModelSignature ofOnnx(Path file) throws OrtException {
    Engine.getEngine(ModelRunner.ONNX_RUNTIME); // DJL creates the process's one OrtEnvironment (with its thread settings) first
    OrtEnvironment environment = OrtEnvironment.getEnvironment();
    try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
      options.setIntraOpNumThreads(1);
      options.setInterOpNumThreads(1);
      try (OrtSession session = environment.createSession(file.toString(), options)) {
        return new ModelSignature(tensors(session.getInputInfo()), tensors(session.getOutputInfo()));
      }
    }
  }

  private static List<Tensor> tensors(Map<String, NodeInfo> nodes) {
    List<Tensor> tensors = new ArrayList<>();
    for (NodeInfo node : nodes.values()) {
      if (node.getInfo() instanceof TensorInfo tensor) {
        tensors.add(new Tensor(node.getName(), tensor.type == OnnxJavaType.FLOAT ? FLOAT : tensor.type.name(), tensor.getShape()));
      } else {
        String kind = node.getInfo().getClass().getSimpleName().replace("Info", "").toLowerCase(java.util.Locale.ROOT);
        tensors.add(new Tensor(node.getName(), kind, new long[0]));
      }
    }
    return tensors;
  }

  /** The widths of a DJL block made of Linear layers (a flywheel-mlp): [?, first layer's inputs] → [?, last layer's outputs]. */
  static ModelSignature ofBlock(Model model) {
    Block block = model.getBlock();
    List<Linear> layers = block == null ? List.of() : OnnxExporter.linearLayers(block);
    if (layers.isEmpty()) {
      return UNKNOWN;
    }
    long[] first = layers.get(0).getParameters().get("weight").getArray().getShape().getShape();
    long[] last = layers.get(layers.size() - 1).getParameters().get("weight").getArray().getShape().getShape();
    return new ModelSignature(List.of(new Tensor("input", FLOAT, new long[] {-1, first[1]})),
        List.of(new Tensor("output", FLOAT, new long[] {-1, last[0]})));
  }
}
