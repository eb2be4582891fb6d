package dev.flywheel.model.infer;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.translate.NoBatchifyTranslator;
import ai.djl.translate.TranslatorContext;
import java.util.Arrays;

/**
 * Feeds a [rows, columns] float matrix to a model and reads its scores back as a matrix — the output with the given
 * name, or the first — [rows, k] or [rows] (one column). Any other output shape is an error, never silently reshaped.
 */
final class FloatMatrixTranslator implements NoBatchifyTranslator<float[][], float[][]> {
  private static final String ROWS = "rows";
  private final String outputName;

  /** @param outputName the output holding the scores, or null for the first output */
  FloatMatrixTranslator(String outputName) {
    this.outputName = outputName;
  }

  @Override
  public NDList processInput(TranslatorContext ctx, float[][] input) {
    int columns = input[0].length;
    float[] flat = new float[input.length * columns];
    for (int r = 0; r < input.length; r++) {
      System.arraycopy(input[r], 0, flat, r * columns, columns);
    }
    ctx.setAttachment(ROWS, input.length);
    return new NDList(ctx.getNDManager().create(flat, new Shape(input.length, columns)));
  }

  @Override
  public float[][] processOutput(TranslatorContext ctx, NDList list) {
    NDArray output = outputName == null ? list.get(0) : list.get(outputName);
    if (output == null) {
      throw new IllegalStateException("the model gave no output named '" + outputName + "'");
    }
    long[] shape = output.getShape().getShape();
    Object expectedRows = ctx.getAttachment(ROWS);
    if (shape.length == 0 || shape.length > 2 || (expectedRows != null && shape[0] != (Integer) expectedRows)) {
      throw new IllegalStateException("the model answered " + expectedRows + " rows with an output of shape " + Arrays.toString(shape)
          + "; expected [" + expectedRows + ", k] or [" + expectedRows + "]");
    }
    int rows = (int) shape[0];
    int columns = shape.length > 1 ? (int) shape[1] : 1;
    float[] flat = output.toFloatArray();
    float[][] result = new float[rows][columns];
    for (int r = 0; r < rows; r++) {
      System.arraycopy(flat, r * columns, result[r], 0, columns);
    }
    return result;
  }
}
