package dev.flywheel.model.serve.grpc;

import com.google.protobuf.ByteString;
import dev.flywheel.model.serve.BadRequest;
import dev.flywheel.model.serve.InputTensor;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * An input tensor whose values travel in {@code raw_input_contents}: its elements row-major, little-endian, without
 * padding; BYTES elements each after their length as a 4-byte little-endian integer; FP16 as IEEE half floats.
 */
final class RawTensor implements InputTensor {
  private final String name;
  private final String datatype;
  private final long[] shape;
  private final ByteBuffer bytes;
  private final int width;
  private final int size;
  private final List<ByteString> strings;

  private RawTensor(String name, String datatype, long[] shape, ByteBuffer bytes, int width, int size, List<ByteString> strings) {
    this.name = name;
    this.datatype = datatype;
    this.shape = shape;
    this.bytes = bytes;
    this.width = width;
    this.size = size;
    this.strings = strings;
  }

  /** Bytes per element of a fixed-width datatype; 0 for BYTES and unknown datatypes. */
  static int width(String datatype) {
    return switch (datatype) {
      case "BOOL", "INT8", "UINT8" -> 1;
      case "INT16", "UINT16", "FP16" -> 2;
      case "INT32", "UINT32", "FP32" -> 4;
      case "INT64", "UINT64", "FP64" -> 8;
      default -> 0;
    };
  }

  static RawTensor of(String name, String datatype, long[] shape, ByteString raw) throws BadRequest {
    ByteBuffer buffer = raw.asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
    if (datatype.equals("BYTES")) {
      List<ByteString> strings = new ArrayList<>();
      int at = 0;
      while (at < raw.size()) {
        if (raw.size() - at < 4) {
          throw BadRequest.of("malformed_tensor", "raw contents of input '" + name + "' end inside a BYTES element's 4-byte length");
        }
        long length = Integer.toUnsignedLong(buffer.getInt(at));
        if (length > raw.size() - at - 4) {
          throw BadRequest.of("malformed_tensor", "raw contents of input '" + name + "' announce a BYTES element of " + length
              + " bytes where " + (raw.size() - at - 4) + " are left");
        }
        strings.add(raw.substring(at + 4, at + 4 + (int) length));
        at += 4 + (int) length;
      }
      return new RawTensor(name, datatype, shape, buffer, 0, strings.size(), strings);
    }
    int width = width(datatype);
    if (width == 0) {
      return new RawTensor(name, datatype, shape, buffer, 0, 0, List.of()); // TensorRows refuses the datatype
    }
    if (raw.size() % width != 0) {
      throw BadRequest.of("wrong_shape", "raw contents of input '" + name + "' are " + raw.size() + " bytes, not a whole number of "
          + datatype + " values (" + width + " bytes each)");
    }
    return new RawTensor(name, datatype, shape, buffer, width, raw.size() / width, List.of());
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public String datatype() {
    return datatype;
  }

  @Override
  public long[] shape() {
    return shape;
  }

  @Override
  public int size() {
    return size;
  }

  @Override
  public boolean isNumber(int index) {
    return width > 0 && !datatype.equals("BOOL");
  }

  @Override
  public double number(int index) {
    int at = index * width;
    return switch (datatype) {
      case "INT8" -> bytes.get(at);
      case "UINT8" -> Byte.toUnsignedInt(bytes.get(at));
      case "INT16" -> bytes.getShort(at);
      case "UINT16" -> Short.toUnsignedInt(bytes.getShort(at));
      case "FP16" -> halfToFloat(bytes.getShort(at));
      case "INT32" -> bytes.getInt(at);
      case "UINT32" -> Integer.toUnsignedLong(bytes.getInt(at));
      case "FP32" -> bytes.getFloat(at);
      case "INT64" -> bytes.getLong(at);
      case "UINT64" -> {
        long value = bytes.getLong(at);
        yield value >= 0 ? value : (value >>> 1) * 2.0 + (value & 1);
      }
      case "FP64" -> bytes.getDouble(at);
      default -> throw new IllegalStateException("not a number: " + datatype);
    };
  }

  /** IEEE 754 binary16 to float (Java 17 has no Float.float16ToFloat). */
  static float halfToFloat(short half) {
    int sign = (half & 0x8000) << 16;
    int exponent = (half >>> 10) & 0x1f;
    int mantissa = half & 0x3ff;
    if (exponent == 0x1f) {
      return Float.intBitsToFloat(sign | 0x7f800000 | (mantissa << 13));
    }
    if (exponent == 0) {
      float value = mantissa * 0x1p-24f;
      return sign == 0 ? value : -value;
    }
    return Float.intBitsToFloat(sign | ((exponent + 112) << 23) | (mantissa << 13));
  }

  @Override
  public boolean isWholeNumber(int index) {
    double x = number(index);
    return x == Math.rint(x);
  }

  @Override
  public BigInteger wholeNumber(int index) {
    return switch (datatype) {
      case "INT64" -> BigInteger.valueOf(bytes.getLong(index * width));
      case "UINT64" -> new BigInteger(Long.toUnsignedString(bytes.getLong(index * width)));
      default -> BigInteger.valueOf((long) number(index)); // at most 32 bits: exact in a double
    };
  }

  @Override
  public boolean isText(int index) {
    return datatype.equals("BYTES");
  }

  @Override
  public String text(int index) {
    return strings.get(index).toStringUtf8();
  }

  @Override
  public String show(int index) {
    if (datatype.equals("BYTES")) {
      return "\"" + text(index) + "\"";
    }
    if (datatype.equals("BOOL")) {
      return String.valueOf(bytes.get(index) != 0);
    }
    return String.valueOf(number(index));
  }
}
