package dev.flywheel.model.infer;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Block;
import ai.djl.nn.core.Linear;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Writes a trained DJL MLP as an ONNX model (DJL cannot export ONNX), through {@link OnnxModelWriter}. */
public final class OnnxExporter {
  private OnnxExporter() {}

  public static void export(Block mlp, Path file) throws IOException {
    List<OnnxModelWriter.Dense> layers = new ArrayList<>();
    for (Linear linear : linearLayers(mlp)) {
      NDArray weight = linear.getParameters().get("weight").getArray();
      long[] shape = weight.getShape().getShape();
      float[] flat = weight.toFloatArray();
      float[][] matrix = new float[(int) shape[0]][(int) shape[1]];
      for (int r = 0; r < matrix.length; r++) {
        System.arraycopy(flat, r * matrix[r].length, matrix[r], 0, matrix[r].length);
      }
      layers.add(new OnnxModelWriter.Dense(matrix, linear.getParameters().get("bias").getArray().toFloatArray()));
    }
    if (layers.isEmpty()) {
      throw new IllegalArgumentException("the block has no Linear layers to export");
    }
    OnnxModelWriter.write(layers, OnnxModelWriter.ANY_BATCH, OnnxModelWriter.Head.NONE, file);
  }

  /** The block's Linear layers, in order. */
  static List<Linear> linearLayers(Block block) {
    List<Linear> layers = new ArrayList<>();
    for (var child : block.getChildren().values()) {
      if (child instanceof Linear linear) {
        layers.add(linear);
      }
    }
    return layers;
  }
}
