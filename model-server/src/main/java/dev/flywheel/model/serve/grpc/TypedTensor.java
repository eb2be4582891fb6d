package dev.flywheel.model.serve.grpc;

import dev.flywheel.model.serve.InputTensor;
import dev.flywheel.model.serve.grpc.v2.InferTensorContents;
import java.math.BigInteger;
import java.util.Arrays;

/**
 * An input tensor whose values travel in {@code contents}, in the repeated field of its datatype (fp32_contents for
 * FP32, int_contents for INT8/16/32, …, bytes_contents for BYTES); {@link ProtoInputs} has checked that no other
 * field is used.
 */
record TypedTensor(String name, String datatype, long[] shape, InferTensorContents contents) implements InputTensor {

  /** The contents field a datatype's values go in, by its proto name; null for FP16 (raw only) and unknown datatypes. */
  static String fieldOf(String datatype) {
    return switch (datatype) {
      case "BOOL" -> "bool_contents";
      case "INT8", "INT16", "INT32" -> "int_contents";
      case "INT64" -> "int64_contents";
      case "UINT8", "UINT16", "UINT32" -> "uint_contents";
      case "UINT64" -> "uint64_contents";
      case "FP32" -> "fp32_contents";
      case "FP64" -> "fp64_contents";
      case "BYTES" -> "bytes_contents";
      default -> null;
    };
  }

  /** How many values each contents field holds, by field name. */
  static int count(InferTensorContents c, String field) {
    return switch (field) {
      case "bool_contents" -> c.getBoolContentsCount();
      case "int_contents" -> c.getIntContentsCount();
      case "int64_contents" -> c.getInt64ContentsCount();
      case "uint_contents" -> c.getUintContentsCount();
      case "uint64_contents" -> c.getUint64ContentsCount();
      case "fp32_contents" -> c.getFp32ContentsCount();
      case "fp64_contents" -> c.getFp64ContentsCount();
      case "bytes_contents" -> c.getBytesContentsCount();
      default -> 0;
    };
  }

  static final String[] FIELDS = {"bool_contents", "int_contents", "int64_contents", "uint_contents", "uint64_contents", "fp32_contents",
      "fp64_contents", "bytes_contents"};

  @Override
  public int size() {
    String field = fieldOf(datatype);
    return field == null ? 0 : count(contents, field);
  }

  @Override
  public boolean isNumber(int index) {
    return !datatype.equals("BOOL") && !datatype.equals("BYTES");
  }

  @Override
  public double number(int index) {
    return switch (datatype) {
      case "INT8", "INT16", "INT32" -> contents.getIntContents(index);
      case "INT64" -> contents.getInt64Contents(index);
      case "UINT8", "UINT16", "UINT32" -> Integer.toUnsignedLong(contents.getUintContents(index));
      case "UINT64" -> unsigned(contents.getUint64Contents(index));
      case "FP32" -> contents.getFp32Contents(index);
      case "FP64" -> contents.getFp64Contents(index);
      default -> throw new IllegalStateException("not a number: " + datatype);
    };
  }

  private static double unsigned(long value) {
    return value >= 0 ? value : (value >>> 1) * 2.0 + (value & 1);
  }

  @Override
  public boolean isWholeNumber(int index) {
    double x = number(index);
    return x == Math.rint(x);
  }

  @Override
  public BigInteger wholeNumber(int index) {
    return switch (datatype) {
      case "INT64" -> BigInteger.valueOf(contents.getInt64Contents(index));
      case "UINT64" -> new BigInteger(Long.toUnsignedString(contents.getUint64Contents(index)));
      default -> BigInteger.valueOf((long) number(index)); // at most 32 bits: exact in a double
    };
  }

  @Override
  public boolean isText(int index) {
    return datatype.equals("BYTES");
  }

  @Override
  public String text(int index) {
    return contents.getBytesContents(index).toStringUtf8();
  }

  @Override
  public String show(int index) {
    return switch (datatype) {
      case "BOOL" -> String.valueOf(contents.getBoolContents(index));
      case "BYTES" -> "\"" + text(index) + "\"";
      default -> String.valueOf(number(index));
    };
  }

  @Override
  public String toString() {
    return name + " " + datatype + " " + Arrays.toString(shape);
  }
}
