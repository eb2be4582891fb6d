package dev.flywheel.model.serve;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.flywheel.model.data.FeatureSpec;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The streaming fast path reads every valid request exactly as the JSON tree reader does (same rows, id and outputs),
 * and hands every request the tree reader refuses back to it (null), so refusals keep their messages.
 */
class StreamingRequestReaderTest {
  private static final List<String> OUTPUTS = List.of("probabilities", "predicted_class");
  private static final TensorRows NUMERIC = new TensorRows(List.of(FeatureSpec.numeric("a", 1, 2), FeatureSpec.numeric("b", 0, 1),
      FeatureSpec.numeric("c", -3, 0.5)), 64);
  private static final TensorRows MIXED = new TensorRows(List.of(FeatureSpec.numeric("a", 1, 2),
      FeatureSpec.categorical("plan", List.of("basic", "pro"))), 64);

  @ParameterizedTest
  @ValueSource(strings = {
      "{\"inputs\": [{\"name\": \"input-0\", \"shape\": [1, 3], \"datatype\": \"FP32\", \"data\": [0.1, -2.5e3, 7]}]}",
      "{\"id\": \"r-1\", \"inputs\": [{\"name\": \"x\", \"shape\": [2, 3], \"datatype\": \"FP64\", \"data\": [[1, 2, 3], [4.5, 0.000001, -9]]}]}",
      "{\"inputs\": [{\"datatype\": \"INT64\", \"data\": [1, 2, 3], \"shape\": [1, 3], \"name\": \"x\", \"parameters\": {\"k\": [1, {}]}}],"
          + " \"parameters\": {\"p\": null}, \"outputs\": [{\"name\": \"predicted_class\", \"parameters\": {}}]}",
      "{\"outputs\": [{\"name\": \"predicted_class\"}, {\"name\": \"probabilities\"}], \"inputs\": [{\"name\": \"c\", \"shape\": [2],"
          + " \"datatype\": \"FP32\", \"data\": [1, 2]}, {\"name\": \"a\", \"shape\": [2, 1], \"datatype\": \"UINT8\", \"data\": [[3], [4]]},"
          + " {\"name\": \"b\", \"shape\": [2], \"datatype\": \"FP16\", \"data\": [0.5, 65504]}]}",
      "{\"inputs\": [{\"name\": \"x\", \"shape\": [1, 3], \"datatype\": \"FP32\", \"data\": [3.4028234663852886e38, -1e-45, 1.1]}], \"outputs\": []}",
      "{\"inputs\": [{\"name\": \"x\", \"shape\": [1, 3], \"datatype\": \"INT64\", \"data\": [9007199254740991, -9007199254740991, 0]}]}",
      "{\"inputs\": [{\"name\": \"x\", \"shape\": [1, 3], \"datatype\": \"FP32\", \"data\": [[1, 2, 3]]}]}",
  })
  void readsValidRequestsExactlyAsTheTreeDoes(String body) throws BadRequest {
    assertSame(NUMERIC, body);
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "{\"inputs\": [{\"name\": \"a\", \"shape\": [1], \"datatype\": \"FP32\", \"data\": [2.5]},"
          + " {\"name\": \"plan\", \"shape\": [1], \"datatype\": \"BYTES\", \"data\": [\"pro\"]}]}",
      "{\"id\": \"\\u00e9\\\"q\", \"inputs\": [{\"name\": \"plan\", \"shape\": [2, 1], \"datatype\": \"BYTES\", \"data\": [[\"x\"], [\"basic\"]]},"
          + " {\"name\": \"a\", \"shape\": [2], \"datatype\": \"INT32\", \"data\": [1, -1]}]}",
  })
  void readsCategoricalRequestsExactlyAsTheTreeDoes(String body) throws BadRequest {
    assertSame(MIXED, body);
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "not json",
      "{\"inputs\": [{\"name\": \"x\", \"shape\": [1, 3], \"datatype\": \"FP32\", \"data\": [1, 2]}]}",
      "{\"inputs\": [{\"name\": \"x\", \"shape\": [2, 3], \"datatype\": \"FP32\", \"data\": [[1, 2, 3]]}]}",
      "{\"inputs\": [{\"name\": \"x\", \"shape\": [1, 3], \"datatype\": \"FP32\", \"data\": [[[1], [2], [3]]]}]}",
      "{\"inputs\": [{\"name\": \"x\", \"datatype\": \"FP32\", \"data\": [[1, 2, 3]], \"shape\": [1, 4]}]}",
      "{\"inputs\": [{\"name\": \"x\", \"shape\": [1, 3], \"datatype\": \"FP32\", \"data\": [[1, 2], 3]}]}",
      "{\"inputs\": [{\"name\": \"x\", \"shape\": [1, 3], \"datatype\": \"FP32\", \"data\": [NaN, 2, 3]}]}",
      "{\"inputs\": [{\"name\": \"x\", \"shape\": [1, 3], \"datatype\": \"FP32\", \"data\": [1e39, 2, 3]}]}",
      "{\"inputs\": [{\"name\": \"x\", \"shape\": [1, 3], \"datatype\": \"INT8\", \"data\": [300, 2, 3]}]}",
      "{\"inputs\": [{\"name\": \"x\", \"shape\": [1, 3], \"datatype\": \"INT32\", \"data\": [1.5, 2, 3]}]}",
      "{\"inputs\": [{\"name\": \"x\", \"shape\": [1, 3], \"datatype\": \"UINT64\", \"data\": [18446744073709551616, 2, 3]}]}",
      "{\"inputs\": [{\"name\": \"x\", \"shape\": [1, 3], \"datatype\": \"FP32\", \"data\": [true, 2, 3]}]}",
      "{\"inputs\": [{\"name\": \"x\", \"shape\": [1, 3], \"datatype\": \"FP32\", \"data\": [\"1\", 2, 3]}]}",
      "{\"inputs\": [{\"name\": \"x\", \"shape\": [1, 3], \"datatype\": \"FLOAT\", \"data\": [1, 2, 3]}]}",
      "{\"inputs\": [{\"name\": \"x\", \"shape\": [1, -3], \"datatype\": \"FP32\", \"data\": [1, 2, 3]}]}",
      "{\"inputs\": [{\"name\": \"x\", \"shape\": [65, 3], \"datatype\": \"FP32\", \"data\": [1, 2, 3]}]}",
      "{\"inputs\": [{\"name\": \"x\", \"shape\": [1, 3], \"datatype\": \"FP32\"}]}",
      "{\"inputs\": [{\"shape\": [1, 3], \"datatype\": \"FP32\", \"data\": [1, 2, 3]}]}",
      "{\"inputs\": []}",
      "{\"inputs\": [7]}",
      "{\"id\": 7, \"inputs\": [{\"name\": \"x\", \"shape\": [1, 3], \"datatype\": \"FP32\", \"data\": [1, 2, 3]}]}",
      "{\"inputs\": [{\"name\": \"x\", \"shape\": [1, 3], \"datatype\": \"FP32\", \"data\": [1, 2, 3]}], \"outputs\": [{\"name\": \"nope\"}]}",
      "{\"inputs\": [{\"name\": \"x\", \"shape\": [1, 3], \"datatype\": \"FP32\", \"data\": [1, 2, 3]}], \"outputs\": [{\"name\": \"probabilities\"},"
          + " {\"name\": \"probabilities\"}]}",
      "{\"inputs\": [{\"name\": \"a\", \"shape\": [1], \"datatype\": \"FP32\", \"data\": [1]}]}",
  })
  void leavesEveryRefusalToTheTreeReader(String body) {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    assertNull(new StreamingRequestReader(NUMERIC, OUTPUTS).read(bytes));
    assertThrows(BadRequest.class, () -> new InferenceRequestReader(NUMERIC, OUTPUTS).readTree(bytes));
  }

  @ParameterizedTest
  @ValueSource(strings = {
      // Repeated fields (the tree keeps the last one), trailing text after the object (the tree ignores it), data
      // nested before its shape, an integer beyond 2^53: valid, left to the tree.
      "{\"inputs\": [{\"name\": \"x\", \"shape\": [1, 3], \"datatype\": \"FP32\", \"data\": [1, 2, 3]}]} trailing",
      "{\"inputs\": [{\"name\": \"x\", \"datatype\": \"FP32\", \"data\": [[1, 2, 3]], \"shape\": [1, 3]}]}",
      "{\"inputs\": [{\"name\": \"x\", \"shape\": [1, 3], \"datatype\": \"UINT64\", \"data\": [18446744073709551615, 2, 3]}]}",
      "{\"inputs\": [{\"name\": \"x\", \"shape\": [1, 3], \"datatype\": \"FP32\", \"data\": [1, 2, 3], \"data\": [4, 5, 6]}]}",
      "{\"id\": \"a\", \"id\": \"b\", \"inputs\": [{\"name\": \"x\", \"shape\": [1, 3], \"datatype\": \"FP32\", \"data\": [1, 2, 3]}]}",
      "{\"inputs\": [{\"name\": \"x\", \"shape\": [1, 3], \"datatype\": \"FP32\", \"data\": [1, 2, 3]}], \"outputs\": null}",
  })
  void leavesUnusualButValidRequestsToTheTreeReader(String body) throws BadRequest {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    assertNull(new StreamingRequestReader(NUMERIC, OUTPUTS).read(bytes));
    assertNotNull(new InferenceRequestReader(NUMERIC, OUTPUTS).read(bytes));
  }

  private static void assertSame(TensorRows rows, String body) throws BadRequest {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    InferenceRequestReader.Parsed fast = new StreamingRequestReader(rows, OUTPUTS).read(bytes);
    InferenceRequestReader.Parsed tree = new InferenceRequestReader(rows, OUTPUTS).readTree(bytes);
    assertNotNull(fast, "the fast path must take a valid request");
    assertEquals(tree.id(), fast.id());
    assertEquals(tree.outputs(), fast.outputs());
    assertEquals(tree.rows().length, fast.rows().length);
    for (int r = 0; r < tree.rows().length; r++) {
      assertArrayEquals(tree.rows()[r], fast.rows()[r], "row " + r);
    }
  }
}
