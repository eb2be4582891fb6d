package dev.flywheel.model.serve;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.flywheel.model.bundle.ModelBundle;
import dev.flywheel.model.data.Task;
import dev.flywheel.model.testdata.SyntheticData;
import dev.flywheel.model.train.TrainingOptions;
import dev.flywheel.model.train.TrainingRun;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The model server against KServe's published REST spec of the Open Inference Protocol
 * ({@code src/test/resources/kserve/rest_predict_v2.yaml}, see SOURCE.md there): every path and method of the spec
 * is called on a real port, with and without the optional version segment, and every response the spec describes
 * — success and error — is validated against its schema; the requests sent conform to the spec's request schema.
 * A test fails if the spec has an endpoint or response this test does not exercise.
 */
class KServeSpecTest {
  private static final String NAME = "${MODEL_NAME}";
  private static final String VERSION = "${MODEL_VERSION}";
  private static final String INFER = "/v2/models/" + NAME + "/versions/" + VERSION + "/infer";
  private static final String METADATA = "/v2/models/" + NAME + "/versions/" + VERSION;
  private static final String MODEL_READY = "/v2/models/" + NAME + "/versions/" + VERSION + "/ready";

  @TempDir static Path tmp;
  private static OpenApiSchemas spec;
  private static ModelBundle churn;
  private static ModelBundle prices;
  private static ModelServer churnServer;
  private static ModelServer pricesServer;
  private static ServerHarness churnHttp;
  private static ServerHarness pricesHttp;
  private final Set<String> covered = new TreeSet<>();

  @BeforeAll
  static void serve() throws Exception {
    spec = OpenApiSchemas.load("/kserve/rest_predict_v2.yaml");
    TrainingRun.run(SyntheticData.churn(tmp, 600, 4), "churned", null, Task.binaryClassification,
        new TrainingOptions(List.of(8), 3, 32, 0.01, 1, 0.2), tmp.resolve("churn"));
    TrainingRun.run(SyntheticData.prices(tmp, 400, 4), "price", null, Task.regression,
        new TrainingOptions(List.of(8), 3, 32, 0.01, 1, 0.2), tmp.resolve("prices"));
    churn = ModelBundle.open(tmp.resolve("churn"), null, "auto");
    prices = ModelBundle.open(tmp.resolve("prices"), null, "auto");
    churnServer = new ModelServer(ServerSettings.defaults("127.0.0.1", 0, "churn", "7"), churn.metadata(), churn.digest(), churn.engine(),
        churn::score);
    churnHttp = new ServerHarness(churnServer.start());
    churnServer.warmUpAndMarkReady();
    pricesServer = new ModelServer(ServerSettings.defaults("127.0.0.1", 0, "prices", "2"), prices.metadata(), prices.digest(),
        prices.engine(), prices::score);
    pricesHttp = new ServerHarness(pricesServer.start());
    pricesServer.warmUpAndMarkReady();
  }

  @AfterAll
  static void stop() {
    churnServer.close();
    pricesServer.close();
    churn.close();
    prices.close();
  }

  /** The spec's path template filled for a model, with or without the optional version segment. */
  private static String url(String template, String model, String version, boolean withVersion) {
    String path = withVersion ? template : template.replace("/versions/" + VERSION, "");
    return path.replace(NAME, model).replace(VERSION, version);
  }

  /** Checks an answer against the spec's response for that path, method and status, and notes it as covered. */
  private void expect(String template, String method, String status, HttpResponse<String> answer) throws Exception {
    assertThat(answer.statusCode()).as(method + " " + template + ": " + answer.body()).isEqualTo(Integer.parseInt(status));
    JsonNode schema = spec.responseSchema(template, method, status);
    if (schema != null) {
      assertConforms(ModelServerTest.json(answer), schema, method + " " + template + " " + status);
    }
    covered.add(method + " " + template + " " + status);
  }

  private static void assertConforms(JsonNode value, JsonNode schema, String what) {
    assertThat(spec.errors(value, schema)).as(what + ": " + value).isEmpty();
  }

  /** A request the spec's inference_request schema accepts, posted to the infer endpoint. */
  private static HttpResponse<String> infer(ServerHarness http, String url, String body) throws Exception {
    assertConforms(ServerJson.MAPPER.readTree(body), spec.requestSchema(INFER, "post"), "request " + body);
    return http.post(url, body);
  }

  @Test
  void everyEndpointOfTheSpecAnswersWhatItsSchemasDescribe() throws Exception {
    expect("/v2/health/live", "get", "200", churnHttp.get("/v2/health/live"));
    expect("/v2/health/ready", "get", "200", churnHttp.get("/v2/health/ready"));
    for (boolean withVersion : List.of(true, false)) {
      expect(MODEL_READY, "get", "200", churnHttp.get(url(MODEL_READY, "churn", "7", withVersion)));
      expect(METADATA, "get", "200", churnHttp.get(url(METADATA, "churn", "7", withVersion)));
      expect(METADATA, "get", "200", pricesHttp.get(url(METADATA, "prices", "2", withVersion)));
    }
    expect("/v2/", "get", "200", churnHttp.get("/v2/"));
    expect("/v2/", "get", "200", churnHttp.get("/v2"));

    String churnUrl = url(INFER, "churn", "7", true);
    expect(INFER, "post", "200", infer(churnHttp, churnUrl, ModelServerTest.named(3, 12, 70, 2, "one-year", "spec-1")));
    expect(INFER, "post", "200", infer(churnHttp, url(INFER, "churn", "7", false), ModelServerTest.named(1, 40, 30, 0, "two-year", null)));
    String withOutputs = ModelServerTest.named(2, 12, 70, 2, "one-year", null).replaceFirst("}$", ", \"outputs\": [{\"name\": \"predicted_class\"}]}");
    expect(INFER, "post", "200", infer(churnHttp, churnUrl, withOutputs));
    String batched = "{\"id\": \"42\", \"parameters\": {}, \"inputs\": [{\"name\": \"input\", \"shape\": [2, 2], \"datatype\": \"FP32\","
        + " \"parameters\": {}, \"data\": [[80, 3], [120, 4]]}], \"outputs\": [{\"name\": \"predictions\", \"parameters\": {}}]}";
    expect(INFER, "post", "200", infer(pricesHttp, url(INFER, "prices", "2", true), batched));

    // Refusals: the error objects of the spec, for every way this test knows to be refused on the infer endpoint.
    for (Object[] c : ModelServerTest.malformed()) {
      String path = (String) c[1];
      int status = (int) c[3];
      if (path.endsWith("/infer") && c[0].equals("POST") && status == 400) {
        HttpResponse<String> answer = churnHttp.post(path, (String) c[2]);
        expect(INFER, "post", "400", answer);
      }
    }
    for (String hostile : List.of(withOutputs.replace("predicted_class", "nope"),
        ModelServerTest.named(1, 12, 70, 2, "one-year", null).replace("\"FP32\", \"data\": [12.0]", "\"FP32\", \"data\": [1e39]"))) {
      expect(INFER, "post", "400", infer(churnHttp, churnUrl, hostile));
    }
    // The spec's other error objects: the server metadata endpoint refuses a wrong method, the model metadata endpoint
    // an unknown model; both answer with the spec's {"error": …} objects.
    HttpResponse<String> wrongMethod = churnHttp.send("POST", "/v2/", "{}");
    assertThat(wrongMethod.statusCode()).isEqualTo(405);
    assertConforms(ModelServerTest.json(wrongMethod), spec.responseSchema("/v2/", "get", "400"), "POST /v2/ -> 405");
    covered.add("get /v2/ 400");
    for (String unknown : List.of("/v2/models/fraud", "/v2/models/churn/versions/9", "/v2/models/fraud/ready")) {
      HttpResponse<String> answer = churnHttp.get(unknown);
      assertThat(answer.statusCode()).as(unknown).isEqualTo(404);
      assertConforms(ModelServerTest.json(answer), spec.component("metadata_model_error_response"), unknown);
    }

    assertThat(covered).as("every response of the spec is exercised").containsExactlyInAnyOrderElementsOf(specResponses());
  }

  /** Every "method path status" the spec describes. */
  private static List<String> specResponses() {
    List<String> all = new ArrayList<>();
    for (Iterator<String> paths = spec.paths().fieldNames(); paths.hasNext(); ) {
      String path = paths.next();
      JsonNode item = spec.paths().get(path);
      for (String method : List.of("get", "post", "put", "delete", "patch", "head")) {
        for (Iterator<String> statuses = item.path(method).path("responses").fieldNames(); statuses.hasNext(); ) {
          all.add(method + " " + path + " " + statuses.next());
        }
      }
    }
    return all;
  }

  @Test
  void theSchemaCheckerFindsWhatIsWrong() {
    JsonNode response = spec.responseSchema(INFER, "post", "200");
    assertThat(spec.errors(ServerJson.MAPPER.createObjectNode().put("model_name", "m"), response)).anyMatch(e -> e.contains("outputs"));
    ObjectNode wrongTypes = ServerJson.MAPPER.createObjectNode().put("model_name", 3);
    wrongTypes.putArray("outputs").addObject().put("name", "p");
    assertThat(spec.errors(wrongTypes, response)).as("model_name not a string; shape, datatype and data missing").hasSize(4);
    JsonNode metadata = spec.responseSchema(METADATA, "get", "200");
    ObjectNode fractionalShape = ServerJson.MAPPER.createObjectNode().put("name", "m").put("platform", "p");
    com.fasterxml.jackson.databind.node.ArrayNode shape = fractionalShape.putArray("inputs").addObject().put("name", "x")
        .put("datatype", "FP32").putArray("shape").add(1.5);
    assertThat(spec.errors(fractionalShape, metadata)).hasSize(1);
    shape.removeAll().add(-1);
    assertThat(spec.errors(fractionalShape, metadata)).isEmpty();
  }
}
