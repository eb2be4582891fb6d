package dev.flywheel.model.serve;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.data.Offset.offset;

import com.fasterxml.jackson.databind.JsonNode;
import dev.flywheel.model.bundle.Json;
import dev.flywheel.model.bundle.ModelBundle;
import dev.flywheel.model.testdata.ImportedBundles;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An imported ONNX model exported with a fixed batch size ([1, 4]) served over real HTTP with batching on: requests of
 * many rows and many concurrent requests (merged into larger batches by the server) are all answered 200 with what the
 * weights compute — the runner splits every batch into runs of one row.
 */
class ImportedModelServingTest {
  private static final String[] CONTRACTS = {"month-to-month", "one-year", "two-year"};
  private static final double[][] WEIGHTS = {{1.5, -0.5, -1.5}};
  @TempDir Path tmp;

  @Test
  void aFixedBatchModelAnswersBatchedAndConcurrentTrafficCorrectly() throws Exception {
    Path dir = ImportedBundles.categorical().withBatch(1).write(tmp.resolve("fixed"));
    try (ModelBundle bundle = ModelBundle.open(dir, null, "auto")) {
      ServerSettings settings = ServerSettings.defaults("127.0.0.1", 0, "churn", "1");
      ModelServer server = new ModelServer(settings, bundle.metadata(), bundle.digest(), bundle.engine(), bundle::score);
      try {
        ServerHarness http = new ServerHarness(server.start());
        server.warmUpAndMarkReady();
        assertAnswers(http.post("/v2/models/churn/infer", request(0, 9)), 0, 9);
        List<CompletableFuture<Void>> concurrent = new ArrayList<>();
        for (int c = 0; c < 16; c++) {
          int first = c * 3;
          concurrent.add(CompletableFuture.runAsync(() -> {
            try {
              assertAnswers(http.post("/v2/models/churn/infer", request(first, 1 + first % 5)), first, 1 + first % 5);
            } catch (Exception e) {
              throw new IllegalStateException(e);
            }
          }));
        }
        CompletableFuture.allOf(concurrent.toArray(CompletableFuture[]::new)).join();
        assertThat(http.metric("flywheel_requests_total{model=\"churn\",outcome=\"ok\",version=\"1\"}")).isEqualTo(17);
      } finally {
        server.close();
      }
    }
  }

  /** Rows first … first+rows-1: support_calls = row index, contract cycling through the vocabulary. */
  private static String request(int first, int rows) {
    String calls = IntStream.range(first, first + rows).mapToObj(String::valueOf).collect(Collectors.joining(","));
    String contracts = IntStream.range(first, first + rows).mapToObj(r -> "\"" + CONTRACTS[r % 3] + "\"").collect(Collectors.joining(","));
    return String.format(Locale.ROOT, "{\"inputs\": [{\"name\": \"support_calls\", \"shape\": [%d], \"datatype\": \"FP32\", \"data\": [%s]},"
        + "{\"name\": \"contract\", \"shape\": [%d], \"datatype\": \"BYTES\", \"data\": [%s]}]}", rows, calls, rows, contracts);
  }

  private static void assertAnswers(HttpResponse<String> answer, int first, int rows) throws Exception {
    assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
    JsonNode outputs = Json.MAPPER.readTree(answer.body()).path("outputs");
    JsonNode probabilities = null;
    for (JsonNode output : outputs) {
      if (output.path("name").asText().equals("probabilities")) {
        probabilities = output.path("data");
      }
    }
    assertThat(probabilities).as(answer.body()).isNotNull();
    assertThat(probabilities.size()).isEqualTo(rows * 2);
    for (int r = 0; r < rows; r++) {
      int row = first + r;
      double z = 0.8 * (row - 3) / 2.0 + WEIGHTS[0][row % 3] - 0.2;
      double yes = 1 / (1 + Math.exp(-z));
      assertThat(probabilities.get(2 * r + 1).asDouble()).as("row %d: p(yes)", row).isCloseTo(yes, offset(1e-5));
      assertThat(probabilities.get(2 * r).asDouble()).as("row %d: p(no)", row).isCloseTo(1 - yes, offset(1e-5));
    }
  }
}
