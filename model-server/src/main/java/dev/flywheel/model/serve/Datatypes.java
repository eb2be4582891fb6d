package dev.flywheel.model.serve;

import java.math.BigInteger;
import java.util.Map;
import java.util.Set;

/**
 * The tensor datatypes of the Open Inference Protocol and the values each can hold: a number in a numeric tensor
 * must fit its datatype (FP16 up to ±65504, FP32 up to ±3.4e38, FP64 finite; integers whole and within their range),
 * or the request is refused — nothing is silently rounded to infinity or wrapped around. The same for every wire
 * protocol: {@link TensorRows} reads every number through here.
 */
final class Datatypes {
  static final Set<String> KNOWN = Set.of("BOOL", "BYTES", "FP16", "FP32", "FP64", "INT8", "INT16", "INT32", "INT64", "UINT8", "UINT16",
      "UINT32", "UINT64");
  static final Set<String> NUMERIC = Set.of("FP16", "FP32", "FP64", "INT8", "INT16", "INT32", "INT64", "UINT8", "UINT16", "UINT32", "UINT64");

  private static final double FP16_MAX = 65504;
  private static final Map<String, BigInteger[]> INTEGER_RANGES = Map.of(
      "INT8", range(-128, 127),
      "INT16", range(Short.MIN_VALUE, Short.MAX_VALUE),
      "INT32", range(Integer.MIN_VALUE, Integer.MAX_VALUE),
      "INT64", range(Long.MIN_VALUE, Long.MAX_VALUE),
      "UINT8", range(0, 255),
      "UINT16", range(0, 65535),
      "UINT32", range(0, 4294967295L),
      "UINT64", new BigInteger[] {BigInteger.ZERO, BigInteger.ONE.shiftLeft(64).subtract(BigInteger.ONE)});

  private Datatypes() {}

  /** Below this magnitude a double holds every whole number exactly, so a range is checked without a BigInteger. */
  private static final double EXACT = 0x1p53;

  /** The value of one element of a numeric tensor, refused unless it is a number that fits the datatype. */
  static double number(InputTensor tensor, int index) throws BadRequest {
    String input = tensor.name();
    String datatype = tensor.datatype();
    if (!tensor.isNumber(index)) {
      throw BadRequest.of("wrong_datatype", "input '" + input + "' (" + datatype + ") holds a value that is not a number: " + tensor.show(index));
    }
    BigInteger[] range = INTEGER_RANGES.get(datatype);
    if (range != null) {
      if (!tensor.isWholeNumber(index)) {
        throw BadRequest.of("wrong_datatype", "input '" + input + "' is " + datatype + " but holds " + tensor.show(index));
      }
      double x = tensor.number(index);
      if (Math.abs(x) < EXACT && x >= range[0].doubleValue() && x <= range[1].doubleValue()) {
        return x; // the common case, without a BigInteger
      }
      BigInteger whole = tensor.wholeNumber(index);
      if (whole.compareTo(range[0]) < 0 || whole.compareTo(range[1]) > 0) {
        throw BadRequest.of("out_of_range", "input '" + input + "' is " + datatype + " but holds " + tensor.show(index) + ", outside its range "
            + range[0] + " to " + range[1]);
      }
      return whole.doubleValue();
    }
    double x = tensor.number(index);
    if (Double.isNaN(x) || Double.isInfinite(x)) {
      throw BadRequest.of("non_finite", "input '" + input + "' holds NaN or infinity (or a number too large for a double: "
          + tensor.show(index) + ")");
    }
    boolean fits = switch (datatype) {
      case "FP16" -> Math.abs(x) <= FP16_MAX;
      case "FP32" -> Float.isFinite((float) x);
      default -> true;
    };
    if (!fits) {
      throw BadRequest.of("out_of_range", "input '" + input + "' is " + datatype + " but holds " + tensor.show(index) + ", beyond the largest "
          + datatype + " (" + (datatype.equals("FP16") ? "65504" : String.valueOf(Float.MAX_VALUE)) + ")");
    }
    return x;
  }

  private static BigInteger[] range(long min, long max) {
    return new BigInteger[] {BigInteger.valueOf(min), BigInteger.valueOf(max)};
  }
}
