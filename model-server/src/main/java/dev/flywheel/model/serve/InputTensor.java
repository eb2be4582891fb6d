package dev.flywheel.model.serve;

import java.math.BigInteger;

/**
 * One input tensor of an infer request as a wire protocol carries it (JSON for REST, typed or raw contents for gRPC):
 * its name, datatype, shape, and its values in row-major order. {@link TensorRows} turns tensors into feature rows
 * with the same checks for every protocol.
 */
public interface InputTensor {
  String name();

  /** The datatype as the request wrote it (FP32, INT64, BYTES, …; checked by TensorRows). */
  String datatype();

  long[] shape();

  /** The values present, which need not be as many as the shape holds (TensorRows refuses a mismatch). */
  int size();

  /** The value at index is a number (of any datatype). */
  boolean isNumber(int index);

  /** The number at index (only when {@link #isNumber}). */
  double number(int index);

  /** The value at index is a whole number as written (an integer datatype's value must be). */
  boolean isWholeNumber(int index);

  /**
   * The whole number at index, exactly (only when {@link #isWholeNumber}; an integer datatype's range is checked on it
   * when the double of {@link #number} is too large to be exact).
   */
  BigInteger wholeNumber(int index);

  /** The value at index is text (BYTES). */
  boolean isText(int index);

  /** The text at index (only when {@link #isText}). */
  String text(int index);

  /** The value at index as the request wrote it, for an error message. */
  String show(int index);
}
