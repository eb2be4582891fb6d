package dev.flywheel.model.serve;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.flywheel.model.bundle.ModelBundle;
import dev.flywheel.model.data.Task;
import dev.flywheel.model.testdata.SyntheticData;
import dev.flywheel.model.train.TrainingOptions;
import dev.flywheel.model.train.TrainingRun;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The inference protocol held exactly, over HTTP on a real port: values that do not fit their datatype or the
 * model, nesting that does not match the shape, unknown outputs — each a 400 with a JSON reason — and no request,
 * however hostile, leaves a trace in a metric. Two models trained here: prices (regression, all numeric, so the
 * batched [B, 2] tensor) and churn (binary, with a categorical feature).
 */
class ProtocolStrictnessTest {
  @TempDir static Path tmp;
  private static ModelBundle prices;
  private static ModelBundle churn;
  private static ModelServer pricesServer;
  private static ModelServer churnServer;
  private static ServerHarness pricesHttp;
  private static ServerHarness churnHttp;

  @BeforeAll
  static void trainAndServe() throws Exception {
    TrainingRun.run(SyntheticData.prices(tmp, 400, 5), "price", null, Task.regression,
        new TrainingOptions(List.of(8), 3, 32, 0.01, 1, 0.2), tmp.resolve("prices"));
    TrainingRun.run(SyntheticData.churn(tmp, 600, 5), "churned", null, Task.binaryClassification,
        new TrainingOptions(List.of(8), 3, 32, 0.01, 1, 0.2), tmp.resolve("churn"));
    prices = ModelBundle.open(tmp.resolve("prices"), null, "auto");
    churn = ModelBundle.open(tmp.resolve("churn"), null, "auto");
    pricesServer = new ModelServer(ServerSettings.defaults("127.0.0.1", 0, "prices", "1").withWindows(10, 10), prices.metadata(),
        prices.digest(), prices.engine(), prices::score);
    pricesHttp = new ServerHarness(pricesServer.start());
    pricesServer.warmUpAndMarkReady();
    churnServer = new ModelServer(ServerSettings.defaults("127.0.0.1", 0, "churn", "1").withWindows(10, 10), churn.metadata(),
        churn.digest(), churn.engine(), churn::score);
    churnHttp = new ServerHarness(churnServer.start());
    churnServer.warmUpAndMarkReady();
  }

  @AfterAll
  static void stop() {
    pricesServer.close();
    churnServer.close();
    prices.close();
    churn.close();
  }

  /** A prices request: one batched tensor named "input". */
  private static String batched(String shape, String datatype, String data) {
    return "{\"inputs\": [{\"name\": \"input\", \"shape\": " + shape + ", \"datatype\": \"" + datatype + "\", \"data\": " + data + "}]}";
  }

  /** A churn request with one row, tenure_months sent with the given datatype and JSON value. */
  private static String churnRow(String tenureDatatype, String tenure, String callsDatatype, String calls) {
    return "{\"inputs\": ["
        + "{\"name\": \"tenure_months\", \"shape\": [1], \"datatype\": \"" + tenureDatatype + "\", \"data\": [" + tenure + "]},"
        + "{\"name\": \"monthly_charges\", \"shape\": [1], \"datatype\": \"FP32\", \"data\": [70]},"
        + "{\"name\": \"support_calls\", \"shape\": [1], \"datatype\": \"" + callsDatatype + "\", \"data\": [" + calls + "]},"
        + "{\"name\": \"contract\", \"shape\": [1], \"datatype\": \"BYTES\", \"data\": [\"one-year\"]}]}";
  }

  @ParameterizedTest(name = "{0} {1} -> {2}")
  @CsvSource({
      "FP32, 1e39, 400", "FP32, -1e39, 400", "FP32, 3e38, 200", "FP16, 70000, 400", "FP16, 65504, 200",
      "FP64, 1e300, 400", "FP64, 1e400, 400",
      "INT32, 1099511627776, 400", "INT32, 2147483647, 200", "INT32, -2147483649, 400", "INT8, 128, 400", "INT8, -128, 200",
      "UINT8, 300, 400", "UINT8, 255, 200", "UINT8, -1, 400", "UINT16, 65536, 400", "UINT32, 4294967296, 400",
      "UINT64, 18446744073709551616, 400", "UINT64, 18446744073709551615, 200", "INT64, 9223372036854775808, 400",
      "INT64, -9223372036854775808, 200", "INT64, 12, 200", "INT32, 12.0, 400"})
  void aValueMustFitItsDatatype(String datatype, String value, int status) throws Exception {
    // support_calls (std ≈ 2.3) takes the tested value; a value that fits is still refused if the model's output for it
    // is not finite, so an accepted 200 must carry finite numbers only.
    HttpResponse<String> answer = churnHttp.post("/v2/models/churn/infer", churnRow("FP32", "12", datatype, value));
    if (status == 400) {
      assertThat(answer.statusCode()).as(answer.body()).isEqualTo(400);
      assertThat(ModelServerTest.json(answer).path("error").asText()).as(answer.body()).contains("support_calls");
    } else {
      assertThat(answer.statusCode()).as(answer.body()).isIn(200, 400);
      if (answer.statusCode() == 200) {
        assertAllOutputsAreNumbers(ModelServerTest.json(answer));
      } else {
        assertThat(answer.body()).contains("not a finite number");
      }
    }
  }

  @Test
  void theValuesOfTheIssueAreRefusedAndLeaveTheMetricsAsTheyWere() throws Exception {
    String normal = churnRow("FP32", "12", "INT32", "2");
    for (int i = 0; i < 10; i++) {
      assertThat(churnHttp.post("/v2/models/churn/infer", normal).statusCode()).isEqualTo(200);
    }
    double mean = churnHttp.metric("flywheel_prediction_mean{model=\"churn\",version=\"1\"}");
    assertThat(mean).isBetween(0.0, 1.0);
    for (String hostile : List.of(churnRow("FP32", "1e39", "INT32", "2"), churnRow("FP64", "1e300", "INT32", "2"),
        churnRow("FP64", "-1e300", "INT32", "2"), churnRow("INT32", "1099511627776", "INT32", "2"), churnRow("FP32", "12", "UINT8", "300"))) {
      HttpResponse<String> answer = churnHttp.post("/v2/models/churn/infer", hostile);
      assertThat(answer.statusCode()).as(hostile + " -> " + answer.body()).isEqualTo(400);
      assertThat(answer.body()).doesNotContain("NaN");
    }
    assertThat(churnHttp.metric("flywheel_prediction_mean{model=\"churn\",version=\"1\"}")).as("the mean is still there, unchanged")
        .isCloseTo(mean, Offset.offset(1e-9));
    assertThat(churnHttp.metric("flywheel_drift_window_rows{model=\"churn\",version=\"1\"}")).isEqualTo(10);
    assertThat(churnHttp.metric("flywheel_request_errors_total{model=\"churn\",reason=\"out_of_range\",version=\"1\"}")).isGreaterThanOrEqualTo(5);
  }

  @Test
  void extremeValuesThatFitFp32AreAnsweredWithNumbersOrRefusedAndLeaveNoTrace() throws Exception {
    String normal = batched("[1, 2]", "FP32", "[80, 3]");
    double expected = ModelServerTest.json(pricesHttp.post("/v2/models/prices/infer", normal)).path("outputs").get(0).path("data").get(0).asDouble();
    int answered = 0;
    int refused = 0;
    for (String size : List.of("3.4e38", "-3.4e38", "1e30", "80")) {
      for (String rooms : List.of("3.4e38", "-3.4e38", "3")) {
        HttpResponse<String> answer = pricesHttp.post("/v2/models/prices/infer", batched("[1, 2]", "FP32", "[" + size + ", " + rooms + "]"));
        if (answer.statusCode() == 200) {
          assertAllOutputsAreNumbers(ModelServerTest.json(answer));
          answered++;
        } else {
          assertThat(answer.statusCode()).as(answer.body()).isEqualTo(400);
          assertThat(ModelServerTest.json(answer).path("error").asText()).isNotBlank();
          refused++;
        }
      }
    }
    assertThat(answered + refused).isEqualTo(12);
    assertThat(pricesHttp.post("/v1/feedback", "{\"id\": \"nope\", \"label\": 1e300}").statusCode()).as("a label beyond FP32").isEqualTo(400);
    assertThat(pricesHttp.post("/v1/feedback", "{\"id\": \"nope\", \"label\": 5}").statusCode()).as("an id never scored").isEqualTo(404);

    // The windows (10 rows) are flushed by ordinary traffic: nothing the extremes did stays behind.
    for (int i = 0; i < 10; i++) {
      String id = "flush-" + i;
      JsonNode answer = ModelServerTest.json(pricesHttp.post("/v2/models/prices/infer", normal.replace("{\"inputs\"", "{\"id\": \"" + id + "\", \"inputs\"")));
      double predicted = answer.path("outputs").get(0).path("data").get(0).asDouble();
      assertThat(predicted).isCloseTo(expected, Offset.offset(1e-3));
      HttpResponse<String> huge = pricesHttp.post("/v1/feedback", "{\"id\": \"" + id + "\", \"label\": 1e300}");
      assertThat(huge.statusCode()).as("a label beyond FP32 is refused: " + huge.body()).isEqualTo(400);
      assertThat(pricesHttp.post("/v1/feedback", String.format(Locale.ROOT, "{\"id\": \"%s\", \"label\": %s}", id, predicted + 1000)).statusCode())
          .isEqualTo(200);
    }
    assertThat(pricesHttp.metric("flywheel_prediction_mean{model=\"prices\",version=\"1\"}")).isCloseTo(expected, Offset.offset(1e-3 * Math.abs(expected) + 1e-3));
    assertThat(pricesHttp.metric("flywheel_online_mae{model=\"prices\",version=\"1\"}")).isCloseTo(1000, Offset.offset(0.5));
  }

  @Test
  void nestingMustMatchTheShape() throws Exception {
    String flat = batched("[2, 2]", "FP32", "[80, 3, 120, 4]");
    HttpResponse<String> flatAnswer = pricesHttp.post("/v2/models/prices/infer", flat);
    assertThat(flatAnswer.statusCode()).as(flatAnswer.body()).isEqualTo(200);
    HttpResponse<String> nested = pricesHttp.post("/v2/models/prices/infer", batched("[2, 2]", "FP32", "[[80, 3], [120, 4]]"));
    assertThat(nested.statusCode()).as(nested.body()).isEqualTo(200);
    assertThat(ModelServerTest.json(nested).path("outputs")).isEqualTo(ModelServerTest.json(flatAnswer).path("outputs"));

    for (String data : List.of("[[80], [3, 120, 4]]", "[[80, 3, 120], [4]]", "[[[80, 3]], [[120, 4]]]", "[[80, 3], 120, 4]",
        "[80, 3, [120, 4]]", "[[80, 3], [120, [4]]]", "[[80, 3]]", "[[80, 3], [120, 4], []]")) {
      HttpResponse<String> answer = pricesHttp.post("/v2/models/prices/infer", batched("[2, 2]", "FP32", data));
      assertThat(answer.statusCode()).as(data + " -> " + answer.body()).isEqualTo(400);
      assertThat(ModelServerTest.json(answer).path("error").asText()).as(data).contains("shape");
    }
    // Ragged rows whose values add up to what the shape holds (the issue's [[4 values], [6 values]] for [2, 5]), per feature.
    String ragged = "{\"inputs\": [{\"name\": \"size_m2\", \"shape\": [2, 1], \"datatype\": \"FP32\", \"data\": [[80, 90], []]},"
        + "{\"name\": \"rooms\", \"shape\": [2, 1], \"datatype\": \"FP32\", \"data\": [[3], [4]]}]}";
    assertThat(pricesHttp.post("/v2/models/prices/infer", ragged).statusCode()).isEqualTo(400);
    String exact = ragged.replace("[[80, 90], []]", "[[80], [90]]");
    assertThat(pricesHttp.post("/v2/models/prices/infer", exact).statusCode()).isEqualTo(200);
  }

  @Test
  void requestedOutputsAreTheOnlyOnesAnsweredAndUnknownOnesAreRefused() throws Exception {
    String row = churnRow("FP32", "12", "INT32", "2");
    JsonNode all = ModelServerTest.json(churnHttp.post("/v2/models/churn/infer", row));
    assertThat(all.path("outputs").findValuesAsText("name")).containsExactly("probabilities", "predicted_class");

    JsonNode onlyClass = ModelServerTest.json(churnHttp.post("/v2/models/churn/infer", withOutputs(row, "{\"name\": \"predicted_class\"}")));
    assertThat(onlyClass.path("outputs").findValuesAsText("name")).containsExactly("predicted_class");
    assertThat(onlyClass.path("outputs").get(0)).isEqualTo(all.path("outputs").get(1));

    JsonNode reversed = ModelServerTest.json(churnHttp.post("/v2/models/churn/infer",
        withOutputs(row, "{\"name\": \"predicted_class\"}, {\"name\": \"probabilities\", \"parameters\": {}}")));
    assertThat(reversed.path("outputs").findValuesAsText("name")).containsExactly("predicted_class", "probabilities");

    for (String outputs : List.of("{\"name\": \"scores\"}", "{\"name\": \"probabilities\"}, {\"name\": \"probabilities\"}", "{}", "\"probabilities\"")) {
      HttpResponse<String> answer = churnHttp.post("/v2/models/churn/infer", withOutputs(row, outputs));
      assertThat(answer.statusCode()).as(outputs + " -> " + answer.body()).isEqualTo(400);
      assertThat(ModelServerTest.json(answer).path("error").asText()).contains("output");
    }
    HttpResponse<String> notAnArray = churnHttp.post("/v2/models/churn/infer", row.replace("{\"inputs\"", "{\"outputs\": \"probabilities\", \"inputs\""));
    assertThat(notAnArray.statusCode()).isEqualTo(400);
    JsonNode regression = ModelServerTest.json(pricesHttp.post("/v2/models/prices/infer",
        batched("[1, 2]", "FP32", "[80, 3]").replace("{\"inputs\"", "{\"outputs\": [{\"name\": \"predictions\"}], \"inputs\"")));
    assertThat(regression.path("outputs").findValuesAsText("name")).containsExactly("predictions");
  }

  private static String withOutputs(String request, String outputs) {
    return request.substring(0, request.length() - 1) + ", \"outputs\": [" + outputs + "]}";
  }

  @Test
  void metadataDescribesTheBatchedAndThePerFeatureTensorsAndWhatItSaysIsAccepted() throws Exception {
    JsonNode metadata = ModelServerTest.json(pricesHttp.get("/v2/models/prices"));
    JsonNode inputs = metadata.path("inputs");
    assertThat(inputs.findValuesAsText("name")).containsExactly("input", "size_m2", "rooms");
    assertThat(inputs.get(0).path("shape").toString()).isEqualTo("[-1,2]");
    assertThat(inputs.get(0).path("datatype").asText()).isEqualTo("FP32");
    assertThat(inputs.get(0).path("parameters").path("columns").toString()).isEqualTo("[\"size_m2\",\"rooms\"]");
    assertThat(inputs.get(1).path("shape").toString()).isEqualTo("[-1]");
    assertThat(inputs.get(1).path("parameters").path("form").asText()).isEqualTo("per_feature");

    // A client that builds its request from the metadata alone: the batched tensor, or every per-feature one.
    JsonNode batchedInput = inputs.get(0);
    String fromMetadata = "{\"inputs\": [{\"name\": \"" + batchedInput.path("name").asText() + "\", \"shape\": [1, 2], \"datatype\": \""
        + batchedInput.path("datatype").asText() + "\", \"data\": [80, 3]}]}";
    assertThat(pricesHttp.post("/v2/models/prices/infer", fromMetadata).statusCode()).isEqualTo(200);
    StringBuilder perFeature = new StringBuilder("{\"inputs\": [");
    for (int i = 1; i < inputs.size(); i++) {
      perFeature.append(i > 1 ? "," : "").append("{\"name\": \"").append(inputs.get(i).path("name").asText()).append("\", \"shape\": [1], \"datatype\": \"")
          .append(inputs.get(i).path("datatype").asText()).append("\", \"data\": [3]}");
    }
    assertThat(pricesHttp.post("/v2/models/prices/infer", perFeature.append("]}").toString()).statusCode()).isEqualTo(200);

    JsonNode churnInputs = ModelServerTest.json(churnHttp.get("/v2/models/churn/versions/1")).path("inputs");
    assertThat(churnInputs.findValuesAsText("name")).as("no batched tensor with a categorical feature")
        .containsExactly("tenure_months", "monthly_charges", "support_calls", "contract");
    assertThat(churnInputs.findValuesAsText("datatype")).containsExactly("FP32", "FP32", "FP32", "BYTES");
    assertThat(ModelServerTest.json(churnHttp.get("/v2/models/churn")).path("outputs").findValuesAsText("datatype")).containsExactly("FP32", "BYTES");

    HttpResponse<String> slash = pricesHttp.get("/v2/");
    assertThat(slash.statusCode()).isEqualTo(200);
    assertThat(ModelServerTest.json(slash)).isEqualTo(ModelServerTest.json(pricesHttp.get("/v2")));
  }

  @Test
  void aThousandRandomHostileRequestsGetA4xxOrNumbersAndNoMetricTurnsNonFinite() throws Exception {
    Random random = new Random(20261202);
    String[] values = {"1e39", "-1e39", "1e300", "-1e300", "3.4e38", "-3.4e38", "1e400", "NaN", "Infinity", "-Infinity", "0", "-0.0",
        "1e-45", "4.9e-324", "9223372036854775808", "-9223372036854775809", "1099511627776", "300", "-1", "255", "65504", "70000",
        "80", "3", "2.5", "\"80\"", "true", "null", "[]", "[80]", "{}"};
    String[] datatypes = {"FP16", "FP32", "FP64", "INT8", "INT16", "INT32", "INT64", "UINT8", "UINT16", "UINT32", "UINT64", "BOOL", "BYTES"};
    int answered = 0;
    for (int i = 0; i < 1000; i++) {
      int rows = 1 + random.nextInt(3);
      String datatype = datatypes[random.nextInt(datatypes.length)];
      StringBuilder data = new StringBuilder("[");
      boolean nested = random.nextBoolean();
      for (int r = 0; r < rows; r++) {
        int width = random.nextInt(10) == 0 ? 1 + random.nextInt(3) : 2; // now and then a ragged row
        data.append(r > 0 ? "," : "").append(nested ? "[" : "");
        for (int c = 0; c < width; c++) {
          data.append(c > 0 ? "," : "").append(random.nextInt(3) == 0 ? values[random.nextInt(values.length)] : "" + (1 + random.nextInt(150)));
        }
        data.append(nested ? "]" : "");
      }
      String shape = random.nextInt(10) == 0 ? "[" + rows + ", 2, 1]" : "[" + rows + ", 2]";
      String outputs = random.nextInt(5) == 0 ? ", \"outputs\": [{\"name\": \"" + (random.nextBoolean() ? "predictions" : "probabilities") + "\"}]" : "";
      String body = "{\"inputs\": [{\"name\": \"input\", \"shape\": " + shape + ", \"datatype\": \"" + datatype + "\", \"data\": "
          + data.append("]") + "}]" + outputs + "}";
      HttpResponse<String> answer = pricesHttp.post("/v2/models/prices/infer", body);
      assertThat(answer.statusCode()).as(body + " -> " + answer.body()).isIn(200, 400);
      JsonNode json = ModelServerTest.json(answer);
      if (answer.statusCode() == 200) {
        assertAllOutputsAreNumbers(json);
        answered++;
      } else {
        assertThat(json.path("error").asText()).as(body).isNotBlank();
      }
    }
    assertThat(answered).as("some of them were fine").isGreaterThan(50);
    String metrics = pricesHttp.get("/metrics").body();
    for (String metric : List.of("flywheel_prediction_mean", "flywheel_prediction_drift_psi", "flywheel_feature_drift_psi")) {
      assertThat(metrics).containsPattern("(?m)^" + metric + "\\{");
    }
    assertThat(metrics.lines().filter(line -> line.startsWith("flywheel_")))
        .as("no model metric is NaN or infinite").noneMatch(line -> line.endsWith("NaN") || line.endsWith("Inf"));
  }

  /** Every element of every FP32 output is a JSON number (never "NaN" or "Infinity"). */
  static void assertAllOutputsAreNumbers(JsonNode answer) {
    for (JsonNode output : answer.path("outputs")) {
      if (output.path("datatype").asText().equals("FP32")) {
        for (JsonNode value : output.path("data")) {
          assertThat(value.isNumber()).as(output.toString()).isTrue();
          assertThat(Double.isFinite(value.asDouble())).as(output.toString()).isTrue();
        }
      }
    }
  }
}
