package dev.flywheel.model.infer;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Writes a stack of dense layers as an ONNX model (DJL cannot export ONNX): input "features" [batch, inputs] float32,
 * one Gemm (Y = X·Wᵀ + b) per layer with Relu between them, an optional head, output "outputs". The bytes depend only
 * on the arguments, so a bundle digest stays reproducible. Also builds imported-model fixtures (fixed batch sizes,
 * probability heads, rank-1 outputs) for the tests.
 */
public final class OnnxModelWriter {
  /** A batch dimension left open: the symbolic dimension "N". */
  public static final long ANY_BATCH = -1;
  private static final int IR_VERSION = 8;
  private static final int OPSET = 17;
  private static final int FLOAT = 1;
  private static final int INT64 = 7;
  private static final int ATTRIBUTE_INT = 2;

  /** One dense layer: weight is [outputs][inputs] (the Linear/Gemm transB layout), bias has one value per output. */
  public record Dense(float[][] weight, float[] bias) {
    int inputs() {
      return weight[0].length;
    }

    int outputs() {
      return weight.length;
    }
  }

  /** What follows the last layer: nothing (logits or values), Sigmoid, Softmax over the columns, or a squeeze to [batch]. */
  public enum Head { NONE, SIGMOID, SOFTMAX, SQUEEZE }

  /**
   * The graph's outputs: the scores "outputs" alone, or an int64 "label" [batch] (the arg-max column) before them, as
   * scikit-learn classifiers converted by skl2onnx have them.
   */
  public enum Outputs { SCORES, LABEL_THEN_SCORES }

  private OnnxModelWriter() {}

  /** Writes layers with the given batch dimension (ANY_BATCH, or a fixed size such as 1) and head; the scores are the only output. */
  public static void write(List<Dense> layers, long batch, Head head, Path file) throws IOException {
    write(layers, batch, head, Outputs.SCORES, file);
  }

  /** Writes layers with the given batch dimension, head and outputs. */
  public static void write(List<Dense> layers, long batch, Head head, Outputs outputs, Path file) throws IOException {
    if (layers.isEmpty()) {
      throw new IllegalArgumentException("a model needs at least one layer");
    }
    ProtoWriter graph = new ProtoWriter();
    String current = "features";
    for (int i = 0; i < layers.size(); i++) {
      Dense layer = layers.get(i);
      String w = "layer" + i + ".weight";
      String b = "layer" + i + ".bias";
      graph.message(5, floatTensor(w, new long[] {layer.outputs(), layer.inputs()}, flatten(layer.weight())));
      graph.message(5, floatTensor(b, new long[] {layer.outputs()}, layer.bias()));
      boolean last = i == layers.size() - 1;
      String gemmOut = last && head == Head.NONE ? "outputs" : "gemm" + i;
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
    int outputSize = layers.get(layers.size() - 1).outputs();
    switch (head) {
      case NONE -> { }
      case SIGMOID -> graph.message(1, new ProtoWriter().string(1, current).string(2, "outputs").string(3, "head").string(4, "Sigmoid"));
      case SOFTMAX -> graph.message(1, new ProtoWriter().string(1, current).string(2, "outputs").string(3, "head").string(4, "Softmax")
          .message(5, new ProtoWriter().string(1, "axis").varint(3, 1).varint(20, ATTRIBUTE_INT)));
      case SQUEEZE -> {
        graph.message(5, new ProtoWriter().varint(1, 1).varint(2, INT64).string(8, "squeeze.axes").bytes(9, littleEndianLong(1)));
        graph.message(1, new ProtoWriter().string(1, current).string(1, "squeeze.axes").string(2, "outputs").string(3, "head").string(4, "Squeeze"));
      }
    }
    if (outputs == Outputs.LABEL_THEN_SCORES) {
      graph.message(1, new ProtoWriter().string(1, "outputs").string(2, "label").string(3, "label").string(4, "ArgMax")
          .message(5, new ProtoWriter().string(1, "axis").varint(3, 1).varint(20, ATTRIBUTE_INT))
          .message(5, new ProtoWriter().string(1, "keepdims").varint(3, 0).varint(20, ATTRIBUTE_INT)));
    }
    graph.string(2, "flywheel-mlp");
    graph.message(11, valueInfo("features", FLOAT, batch, layers.get(0).inputs()));
    if (outputs == Outputs.LABEL_THEN_SCORES) {
      graph.message(12, valueInfo("label", INT64, batch));
    }
    graph.message(12, head == Head.SQUEEZE ? valueInfo("outputs", FLOAT, batch) : valueInfo("outputs", FLOAT, batch, outputSize));
    ProtoWriter model = new ProtoWriter()
        .varint(1, IR_VERSION)
        .string(2, "flywheel")
        .string(3, "1")
        .message(7, graph)
        .message(8, new ProtoWriter().string(1, "").varint(2, OPSET));
    Files.write(file, model.toByteArray());
  }

  private static float[] flatten(float[][] matrix) {
    float[] flat = new float[matrix.length * matrix[0].length];
    for (int r = 0; r < matrix.length; r++) {
      System.arraycopy(matrix[r], 0, flat, r * matrix[0].length, matrix[0].length);
    }
    return flat;
  }

  private static byte[] littleEndianLong(long value) {
    return ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(value).array();
  }

  private static ProtoWriter floatTensor(String name, long[] dims, float[] values) {
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

  /** A tensor's name, element type and shape: the batch dimension first ("N" when open), then the given fixed widths. */
  private static ProtoWriter valueInfo(String name, int elementType, long batch, int... widths) {
    ProtoWriter shape = new ProtoWriter()
        .message(1, batch == ANY_BATCH ? new ProtoWriter().string(2, "N") : new ProtoWriter().varint(1, batch));
    for (int width : widths) {
      shape.message(1, new ProtoWriter().varint(1, width));
    }
    ProtoWriter tensorType = new ProtoWriter().varint(1, elementType).message(2, shape);
    return new ProtoWriter().string(1, name).message(2, new ProtoWriter().message(1, tensorType));
  }
}
