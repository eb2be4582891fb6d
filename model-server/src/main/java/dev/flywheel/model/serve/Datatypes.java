package dev.flywheel.model.serve;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigInteger;
import java.util.Map;
import java.util.Set;

/**
 * The tensor datatypes of the Open Inference Protocol and the values each can hold: a number in a numeric tensor
 * must fit its datatype (FP16 up to ±65504, FP32 up to ±3.4e38, FP64 finite; integers whole and within their range),
 * or the request is refused — nothing is silently rounded to infinity or wrapped around.
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

  /** The value of one element of a numeric tensor, refused unless it is a number that fits the datatype. */
  static double number(JsonNode value, String input, String datatype) throws BadRequest {
    if (!value.isNumber()) {
      throw BadRequest.of("wrong_datatype", "input '" + input + "' (" + datatype + ") holds a value that is not a number: " + value);
    }
    BigInteger[] range = INTEGER_RANGES.get(datatype);
    if (range != null) {
      if (!value.isIntegralNumber()) {
        throw BadRequest.of("wrong_datatype", "input '" + input + "' is " + datatype + " but holds " + value);
      }
      if (value.canConvertToLong() && value.longValue() >= range[0].longValue()
          && (datatype.equals("UINT64") || value.longValue() <= range[1].longValue())) {
        return value.longValue(); // the common case, without a BigInteger
      }
      BigInteger whole = value.bigIntegerValue();
      if (whole.compareTo(range[0]) < 0 || whole.compareTo(range[1]) > 0) {
        throw BadRequest.of("out_of_range", "input '" + input + "' is " + datatype + " but holds " + value + ", outside its range "
            + range[0] + " to " + range[1]);
      }
      return whole.doubleValue();
    }
    double x = value.asDouble();
    if (Double.isNaN(x) || Double.isInfinite(x)) {
      throw BadRequest.of("non_finite", "input '" + input + "' holds NaN or infinity (or a number too large for a double: " + value + ")");
    }
    boolean fits = switch (datatype) {
      case "FP16" -> Math.abs(x) <= FP16_MAX;
      case "FP32" -> Float.isFinite((float) x);
      default -> true;
    };
    if (!fits) {
      throw BadRequest.of("out_of_range", "input '" + input + "' is " + datatype + " but holds " + value + ", beyond the largest "
          + datatype + " (" + (datatype.equals("FP16") ? "65504" : String.valueOf(Float.MAX_VALUE)) + ")");
    }
    return x;
  }

  private static BigInteger[] range(long min, long max) {
    return new BigInteger[] {BigInteger.valueOf(min), BigInteger.valueOf(max)};
  }
}
