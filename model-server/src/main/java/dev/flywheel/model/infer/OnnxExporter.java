package dev.flywheel.model.infer;

import ai.djl.nn.Block;
import ai.djl.nn.core.Linear;
import ai.djl.ndarray.NDArray;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes a trained MLP as an ONNX model (DJL cannot export ONNX): input "features" [N, inputs] float32, one Gemm
 * (Y = X·Wᵀ + b) per Linear layer with Relu between them, output "outputs" [N, outputs]. The bytes depend only on
 * the weights, so the bundle digest stays reproducible.
 */
public final class OnnxExporter {
  private static final int IR_VERSION = 8;
  private static final int OPSET = 17;
  private static final int FLOAT = 1;
  private static final int ATTRIBUTE_INT = 2;

  private OnnxExporter() {}

  public static void export(Block mlp, int inputSize, Path file) throws IOException {
    List<Linear> layers = new ArrayList<>();
    for (var child : mlp.getChildren().values()) {
      if (child instanceof Linear linear) {
        layers.add(linear);
      }
    }
    if (layers.isEmpty()) {
      throw new IllegalArgumentException("the block has no Linear layers to export");
    }
    ProtoWriter graph = new ProtoWriter();
    String current = "features";
    int outputSize = 0;
    for (int i = 0; i < layers.size(); i++) {
      NDArray weight = layers.get(i).getParameters().get("weight").getArray();
      NDArray bias = layers.get(i).getParameters().get("bias").getArray();
      long[] shape = weight.getShape().getShape();
      outputSize = (int) shape[0];
      String w = "layer" + i + ".weight";
      String b = "layer" + i + ".bias";
      graph.message(5, tensor(w, shape, weight.toFloatArray()));
      graph.message(5, tensor(b, new long[] {shape[0]}, bias.toFloatArray()));
      boolean last = i == layers.size() - 1;
      String gemmOut = last ? "outputs" : "gemm" + i;
      graph.message(1, new ProtoWriter()
          .string(1, current).string(1, w).string(1, b)
          .string(2, gemmOut)
          .string(3, "gemm" + i)
          .string(4, "Gemm")
          .message(5, new ProtoWriter().string(1, "transB").varint(3, 1).varint(20, ATTRIBUTE_INT)));
      current = gemmOut;
      if (!last) {
        String relu = "relu" + i;
        graph.message(1, new ProtoWriter().string(1, current).string(2, relu).string(3, relu).string(4, "Relu"));
        current = relu;
      }
    }
    graph.string(2, "flywheel-mlp");
    graph.message(11, valueInfo("features", inputSize));
    graph.message(12, valueInfo("outputs", outputSize));
    ProtoWriter model = new ProtoWriter()
        .varint(1, IR_VERSION)
        .string(2, "flywheel")
        .string(3, "1")
        .message(7, graph)
        .message(8, new ProtoWriter().string(1, "").varint(2, OPSET));
    Files.write(file, model.toByteArray());
  }

  private static ProtoWriter tensor(String name, long[] dims, float[] values) {
    ProtoWriter tensor = new ProtoWriter();
    for (long d : dims) {
      tensor.varint(1, d);
    }
    tensor.varint(2, FLOAT);
    tensor.string(8, name);
    ByteBuffer raw = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
    for (float v : values) {
      raw.putFloat(v);
    }
    return tensor.bytes(9, raw.array());
  }

  private static ProtoWriter valueInfo(String name, int width) {
    ProtoWriter shape = new ProtoWriter()
        .message(1, new ProtoWriter().string(2, "N"))
        .message(1, new ProtoWriter().varint(1, width));
    ProtoWriter tensorType = new ProtoWriter().varint(1, FLOAT).message(2, shape);
    return new ProtoWriter().string(1, name).message(2, new ProtoWriter().message(1, tensorType));
  }
}
