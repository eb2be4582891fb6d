package dev.flywheel.model.serve;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The fast path of {@link InferenceRequestReader}: reads an infer request that is well-formed and valid in one pass of
 * Jackson's streaming parser, with each tensor's values going straight into primitive arrays (no JSON tree, no node
 * per value), then checks it with the same {@link TensorRows} as every protocol. It answers null — "read it the slow
 * way" — for anything it does not take as it is (malformed JSON, a missing or repeated field, a value of an unexpected
 * kind, an integer beyond 2^53, a refused request): the tree reader then reads the request and gives the exact refusal
 * every client has always had, so the fast path changes no answer, only the time a valid request takes.
 */
final class StreamingRequestReader {
  /** Above this a double does not hold every whole number; such integers go the slow way (exact BigInteger checks). */
  private static final double EXACT = 0x1p53;

  private final JsonFactory factory = ServerJson.MAPPER.getFactory();
  private final TensorRows tensorRows;
  private final List<String> outputNames;

  StreamingRequestReader(TensorRows tensorRows, List<String> outputNames) {
    this.tensorRows = tensorRows;
    this.outputNames = outputNames;
  }

  /** The request read and checked, or null when it must be read by the tree reader (it may be refused there). */
  InferenceRequestReader.Parsed read(byte[] body) {
    try (JsonParser p = factory.createParser(body)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        return null;
      }
      String id = null;
      List<String> outputs = null;
      List<StreamTensor> inputs = null;
      boolean idSeen = false;
      for (JsonToken t = p.nextToken(); t != JsonToken.END_OBJECT; t = p.nextToken()) {
        String field = p.currentName();
        JsonToken value = p.nextToken();
        switch (field) {
          case "id" -> {
            if (idSeen || value != JsonToken.VALUE_STRING) {
              return null;
            }
            idSeen = true;
            id = p.getText();
          }
          case "inputs" -> {
            if (inputs != null || value != JsonToken.START_ARRAY) {
              return null;
            }
            inputs = new ArrayList<>(1);
            while (p.nextToken() == JsonToken.START_OBJECT) {
              StreamTensor tensor = tensor(p);
              if (tensor == null) {
                return null;
              }
              inputs.add(tensor);
            }
            if (p.currentToken() != JsonToken.END_ARRAY) {
              return null;
            }
          }
          case "outputs" -> {
            if (outputs != null || value != JsonToken.START_ARRAY) {
              return null; // also "outputs": null, which the tree reader takes as none named
            }
            outputs = outputs(p);
            if (outputs == null) {
              return null;
            }
          }
          default -> p.skipChildren();
        }
      }
      if (p.nextToken() != null || inputs == null || inputs.isEmpty()) {
        return null;
      }
      for (StreamTensor tensor : inputs) {
        if (!tensor.complete(tensorRows)) {
          return null;
        }
      }
      return new InferenceRequestReader.Parsed(InferenceFlow.checkedId(id), tensorRows.rows(inputs),
          outputs == null ? outputNames : RequestedOutputs.choose(outputs, outputNames));
    } catch (IOException | BadRequest | RuntimeException slowWay) {
      return null;
    }
  }

  /** The names of "outputs": [{"name": …}, …] (checked later), or null for any other form. */
  private List<String> outputs(JsonParser p) throws IOException {
    List<String> chosen = new ArrayList<>(outputNames.size());
    while (p.nextToken() == JsonToken.START_OBJECT) {
      String name = null;
      for (JsonToken t = p.nextToken(); t != JsonToken.END_OBJECT; t = p.nextToken()) {
        String field = p.currentName();
        JsonToken value = p.nextToken();
        if (field.equals("name")) {
          if (name != null || value != JsonToken.VALUE_STRING) {
            return null;
          }
          name = p.getText();
        } else {
          p.skipChildren();
        }
      }
      if (name == null) {
        return null;
      }
      chosen.add(name);
    }
    return p.currentToken() == JsonToken.END_ARRAY ? chosen : null;
  }

  /** One tensor object, the parser on its START_OBJECT; null when it is not plainly valid. */
  private static StreamTensor tensor(JsonParser p) throws IOException {
    StreamTensor tensor = new StreamTensor();
    for (JsonToken t = p.nextToken(); t != JsonToken.END_OBJECT; t = p.nextToken()) {
      String field = p.currentName();
      JsonToken value = p.nextToken();
      switch (field) {
        case "name" -> {
          if (tensor.name != null || value != JsonToken.VALUE_STRING) {
            return null;
          }
          tensor.name = p.getText();
        }
        case "datatype" -> {
          if (tensor.datatype != null || value != JsonToken.VALUE_STRING) {
            return null;
          }
          tensor.datatype = p.getText();
        }
        case "shape" -> {
          if (tensor.shape != null || value != JsonToken.START_ARRAY || !shape(p, tensor)) {
            return null;
          }
        }
        case "data" -> {
          if (tensor.size >= 0 || value != JsonToken.START_ARRAY) {
            return null;
          }
          tensor.size = 0;
          if (!values(p, tensor, 0)) {
            return null;
          }
        }
        default -> p.skipChildren();
      }
    }
    return tensor.name != null && tensor.datatype != null && tensor.shape != null && tensor.size >= 0 ? tensor : null;
  }

  private static boolean shape(JsonParser p, StreamTensor tensor) throws IOException {
    long[] shape = new long[4];
    int length = 0;
    for (JsonToken t = p.nextToken(); t != JsonToken.END_ARRAY; t = p.nextToken()) {
      if (t != JsonToken.VALUE_NUMBER_INT || p.getNumberType() == JsonParser.NumberType.BIG_INTEGER || p.getLongValue() < 0) {
        return false;
      }
      if (length == shape.length) {
        shape = Arrays.copyOf(shape, length * 2);
      }
      shape[length++] = p.getLongValue();
    }
    tensor.shape = Arrays.copyOf(shape, length);
    return length > 0;
  }

  /**
   * The values of one array of "data" at a nesting level (0: the data array itself), the parser on its START_ARRAY.
   * Flat data is all values; nested data must follow the shape, which must then be known already.
   */
  private static boolean values(JsonParser p, StreamTensor tensor, int level) throws IOException {
    long elements = 0;
    boolean nested = false;
    for (JsonToken t = p.nextToken(); t != JsonToken.END_ARRAY; t = p.nextToken()) {
      elements++;
      if (t == JsonToken.START_ARRAY) {
        if (tensor.shape == null || level + 1 >= tensor.shape.length || (level == 0 && elements > 1 && !nested)) {
          return false;
        }
        nested = true;
        if (!values(p, tensor, level + 1)) {
          return false;
        }
        continue;
      }
      if (nested || (level > 0 && level != tensor.shape.length - 1) || !tensor.add(p, t)) {
        return false;
      }
    }
    // Nested arrays must be exactly as long as their dimension; a flat array's count is checked against the shape later.
    return !(level > 0 || nested) || elements == tensor.shape[level];
  }

  /** A tensor as the stream gave it: values kept as doubles, with the text of BYTES values. */
  private static final class StreamTensor implements InputTensor {
    private static final byte NUMBER = 0;
    private static final byte WHOLE = 1;
    private static final byte TEXT = 2;

    String name;
    String datatype;
    long[] shape;
    int size = -1;
    private double[] numbers = new double[16];
    private byte[] kinds = new byte[16];
    private String[] texts;

    boolean add(JsonParser p, JsonToken t) throws IOException {
      byte kind;
      double number = 0;
      String text = null;
      if (t == JsonToken.VALUE_NUMBER_FLOAT) {
        kind = NUMBER;
        number = p.getDoubleValue();
      } else if (t == JsonToken.VALUE_NUMBER_INT && p.getNumberType() != JsonParser.NumberType.BIG_INTEGER) {
        kind = WHOLE;
        number = p.getLongValue();
        if (Math.abs(number) >= EXACT) {
          return false;
        }
      } else if (t == JsonToken.VALUE_STRING) {
        kind = TEXT;
        text = p.getText();
      } else {
        return false;
      }
      if (size == numbers.length) {
        numbers = Arrays.copyOf(numbers, size * 2);
        kinds = Arrays.copyOf(kinds, size * 2);
      }
      if (text != null) {
        if (texts == null) {
          texts = new String[numbers.length];
        } else if (texts.length < numbers.length) {
          texts = Arrays.copyOf(texts, numbers.length);
        }
        texts[size] = text;
      }
      numbers[size] = number;
      kinds[size++] = kind;
      return true;
    }

    /** Checks the header (as the tree reader does before reading data) and that flat data holds what the shape does. */
    boolean complete(TensorRows rows) throws BadRequest {
      return rows.header(name, shape, datatype) == size;
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
      return kinds[index] != TEXT;
    }

    @Override
    public double number(int index) {
      return numbers[index];
    }

    @Override
    public boolean isWholeNumber(int index) {
      return kinds[index] == WHOLE;
    }

    @Override
    public BigInteger wholeNumber(int index) {
      return BigInteger.valueOf((long) numbers[index]);
    }

    @Override
    public boolean isText(int index) {
      return kinds[index] == TEXT;
    }

    @Override
    public String text(int index) {
      return texts[index];
    }

    @Override
    public String show(int index) {
      return kinds[index] == TEXT ? "\"" + texts[index] + "\"" : kinds[index] == WHOLE ? String.valueOf((long) numbers[index])
          : String.valueOf(numbers[index]);
    }
  }
}
