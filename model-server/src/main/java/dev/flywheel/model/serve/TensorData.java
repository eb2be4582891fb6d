package dev.flywheel.model.serve;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Reads the "data" of a tensor in row-major order, as the Open Inference Protocol allows it: either flat (one array
 * of exactly as many values as the shape holds) or nested exactly like the shape (as many levels as dimensions,
 * each array as long as its dimension). Ragged rows, extra or missing nesting and a mix of both forms are refused.
 */
final class TensorData {
  private TensorData() {}

  /** The values in row-major order; count is the product of the shape (already checked to fit in a long). */
  static List<JsonNode> values(JsonNode data, long[] shape, long count, String name) throws BadRequest {
    boolean nested = false;
    for (JsonNode item : data) {
      if (item.isArray() || item.isObject()) {
        nested = true;
        break;
      }
    }
    if (!nested) {
      if (data.size() != count) {
        throw BadRequest.of("wrong_shape", "input '" + name + "' has " + data.size() + " values but its shape " + Arrays.toString(shape)
            + " needs " + count);
      }
      List<JsonNode> values = new ArrayList<>(data.size());
      data.forEach(values::add);
      return values;
    }
    List<JsonNode> values = new ArrayList<>((int) Math.min(count, 1 << 20));
    walk(data, shape, 0, "data", name, values);
    return values;
  }

  private static void walk(JsonNode node, long[] shape, int level, String where, String name, List<JsonNode> into) throws BadRequest {
    if (node.size() != shape[level]) {
      throw BadRequest.of("wrong_shape", "input '" + name + "' has nested data that does not match its shape " + Arrays.toString(shape) + ": "
          + where + " has " + node.size() + " elements, dimension " + level + " is " + shape[level]);
    }
    boolean innermost = level == shape.length - 1;
    for (int i = 0; i < node.size(); i++) {
      JsonNode item = node.get(i);
      String at = where + "[" + i + "]";
      if (innermost) {
        if (item.isContainerNode()) {
          throw BadRequest.of("wrong_shape", "input '" + name + "' is nested deeper than its shape " + Arrays.toString(shape) + " allows: "
              + at + " is " + (item.isArray() ? "an array" : "an object") + ", not a value");
        }
        into.add(item);
      } else {
        if (!item.isArray()) {
          throw BadRequest.of("wrong_shape", "input '" + name + "' has nested data that does not match its shape " + Arrays.toString(shape)
              + ": " + at + " should be an array of " + shape[level + 1] + " (dimension " + (level + 1) + "), got " + item);
        }
        walk(item, shape, level + 1, at, name, into);
      }
    }
  }
}
