package dev.flywheel.model.serve;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.protobuf.ByteString;
import dev.flywheel.model.bundle.ModelBundle;
import dev.flywheel.model.data.Task;
import dev.flywheel.model.serve.grpc.v2.GRPCInferenceServiceGrpc;
import dev.flywheel.model.serve.grpc.v2.InferTensorContents;
import dev.flywheel.model.serve.grpc.v2.ModelInferRequest;
import dev.flywheel.model.serve.grpc.v2.ModelInferRequest.InferInputTensor;
import dev.flywheel.model.serve.grpc.v2.ModelInferResponse;
import dev.flywheel.model.serve.grpc.v2.ModelMetadataRequest;
import dev.flywheel.model.serve.grpc.v2.ModelMetadataResponse;
import dev.flywheel.model.serve.grpc.v2.ModelReadyRequest;
import dev.flywheel.model.serve.grpc.v2.ServerLiveRequest;
import dev.flywheel.model.serve.grpc.v2.ServerMetadataRequest;
import dev.flywheel.model.serve.grpc.v2.ServerReadyRequest;
import dev.flywheel.model.testdata.SyntheticData;
import dev.flywheel.model.train.TrainingOptions;
import dev.flywheel.model.train.TrainingRun;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.UnaryOperator;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The Open Inference Protocol over gRPC with a generated grpc-java client on a real loopback port: every RPC, typed
 * and raw contents, refusals with their status codes, overload, and what gRPC shares with REST (admission, metrics,
 * drift, feedback ids).
 */
class GrpcProtocolTest {
  private static Path dir;
  private static ModelBundle churn;
  private static ModelServer server;
  private static ServerHarness http;
  private static ManagedChannel channel;
  private static GRPCInferenceServiceGrpc.GRPCInferenceServiceBlockingStub grpc;

  @BeforeAll
  static void trainAndServe() throws Exception {
    dir = Files.createTempDirectory("grpc-protocol-test");
    TrainingRun.run(SyntheticData.churn(dir, 2000, 11), "churned", null, Task.binaryClassification,
        new TrainingOptions(List.of(16, 8), 10, 32, 0.01, 5, 0.2), dir.resolve("churn"));
    churn = ModelBundle.open(dir.resolve("churn"), null, "auto");
    ServerSettings settings = ServerSettings.defaults("127.0.0.1", 0, "churn", "3").withWindows(400, 50);
    server = new ModelServer(settings, churn.metadata(), churn.digest(), churn.engine(), churn::score);
    http = new ServerHarness(server.start());
    channel = channel(server.startGrpc(0));
    grpc = GRPCInferenceServiceGrpc.newBlockingStub(channel);
    server.warmUpAndMarkReady();
  }

  @AfterAll
  static void stop() throws Exception {
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    server.close();
    churn.close();
  }

  private static ManagedChannel channel(int port) {
    return NettyChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
  }

  private static GRPCInferenceServiceGrpc.GRPCInferenceServiceBlockingStub withDeadline(GRPCInferenceServiceGrpc.GRPCInferenceServiceBlockingStub stub) {
    return stub.withDeadlineAfter(20, TimeUnit.SECONDS);
  }

  // ---- requests

  private static InferInputTensor.Builder input(String name, String datatype, long... shape) {
    InferInputTensor.Builder input = InferInputTensor.newBuilder().setName(name).setDatatype(datatype);
    for (long d : shape) {
      input.addShape(d);
    }
    return input;
  }

  /** One churn row per feature tensor, typed contents (FP32, FP32, INT32 [B, 1], BYTES). */
  static ModelInferRequest typed(String id, int rows, float tenure, float charges, int calls, String contract) {
    InferTensorContents.Builder t = InferTensorContents.newBuilder();
    InferTensorContents.Builder m = InferTensorContents.newBuilder();
    InferTensorContents.Builder s = InferTensorContents.newBuilder();
    InferTensorContents.Builder c = InferTensorContents.newBuilder();
    for (int r = 0; r < rows; r++) {
      t.addFp32Contents(tenure);
      m.addFp32Contents(charges);
      s.addIntContents(calls);
      c.addBytesContents(ByteString.copyFromUtf8(contract));
    }
    ModelInferRequest.Builder request = ModelInferRequest.newBuilder().setModelName("churn")
        .addInputs(input("tenure_months", "FP32", rows).setContents(t))
        .addInputs(input("monthly_charges", "FP32", rows).setContents(m))
        .addInputs(input("support_calls", "INT32", rows, 1).setContents(s))
        .addInputs(input("contract", "BYTES", rows).setContents(c));
    if (id != null) {
      request.setId(id);
    }
    return request.build();
  }

  /** The same row as raw_input_contents (FP64, FP16, INT64, BYTES length-prefixed). */
  static ModelInferRequest raw(double tenure, float charges, long calls, String contract) {
    ByteBuffer fp64 = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putDouble(tenure);
    ByteBuffer fp16 = ByteBuffer.allocate(2).order(ByteOrder.LITTLE_ENDIAN).putShort(half(charges));
    ByteBuffer int64 = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(calls);
    byte[] text = contract.getBytes(StandardCharsets.UTF_8);
    ByteBuffer bytes = ByteBuffer.allocate(4 + text.length).order(ByteOrder.LITTLE_ENDIAN).putInt(text.length).put(text);
    return ModelInferRequest.newBuilder().setModelName("churn").setModelVersion("3")
        .addInputs(input("tenure_months", "FP64", 1)).addInputs(input("monthly_charges", "FP16", 1))
        .addInputs(input("support_calls", "INT64", 1)).addInputs(input("contract", "BYTES", 1))
        .addRawInputContents(ByteString.copyFrom(fp64.array())).addRawInputContents(ByteString.copyFrom(fp16.array()))
        .addRawInputContents(ByteString.copyFrom(int64.array())).addRawInputContents(ByteString.copyFrom(bytes.array())).build();
  }

  /** A float that a half float holds exactly (whole numbers up to 2048), as IEEE binary16. */
  private static short half(float value) {
    int bits = Float.floatToIntBits(value);
    int exponent = ((bits >>> 23) & 0xff) - 127 + 15;
    return (short) (((bits >>> 16) & 0x8000) | (exponent << 10) | ((bits >>> 13) & 0x3ff));
  }

  private static float expected(double tenure, double charges, double calls, String contract) {
    return churn.score(new float[][] {churn.pipeline().encode(new Object[] {tenure, charges, calls, contract})})[0][0];
  }

  // ---- every RPC

  @Test
  void everyRpcAnswersAsRestDoes() throws Exception {
    assertThat(grpc.serverLive(ServerLiveRequest.getDefaultInstance()).getLive()).isTrue();
    assertThat(grpc.serverReady(ServerReadyRequest.getDefaultInstance()).getReady()).isTrue();
    assertThat(grpc.modelReady(ModelReadyRequest.newBuilder().setName("churn").build()).getReady()).isTrue();
    assertThat(grpc.modelReady(ModelReadyRequest.newBuilder().setName("churn").setVersion("3").build()).getReady()).isTrue();

    var serverMetadata = grpc.serverMetadata(ServerMetadataRequest.getDefaultInstance());
    JsonNode restServer = ModelServerTest.json(http.get("/v2"));
    assertThat(serverMetadata.getName()).isEqualTo(restServer.path("name").asText()).isEqualTo("flywheel-model-server");
    assertThat(serverMetadata.getExtensionsList()).contains("feedback", "drift");

    ModelMetadataResponse model = grpc.modelMetadata(ModelMetadataRequest.newBuilder().setName("churn").setVersion("3").build());
    assertThat(model.getName()).isEqualTo("churn");
    assertThat(model.getVersionsList()).containsExactly("3");
    assertThat(model.getPlatform()).isEqualTo("flywheel-djl");
    JsonNode restModel = ModelServerTest.json(http.get("/v2/models/churn"));
    assertThat(model.getInputsList()).extracting(ModelMetadataResponse.TensorMetadata::getName)
        .containsExactlyElementsOf(restModel.path("inputs").findValuesAsText("name"));
    assertThat(model.getOutputsList()).extracting(ModelMetadataResponse.TensorMetadata::getName).containsExactly("probabilities", "predicted_class");
    assertThat(model.getOutputs(0).getShapeList()).containsExactly(-1L, 2L);

    for (Runnable unknown : List.<Runnable>of(
        () -> grpc.modelReady(ModelReadyRequest.newBuilder().setName("fraud").build()),
        () -> grpc.modelReady(ModelReadyRequest.newBuilder().setName("churn").setVersion("4").build()),
        () -> grpc.modelMetadata(ModelMetadataRequest.newBuilder().setName("fraud").build()),
        () -> grpc.modelInfer(typed(null, 1, 3, 95, 6, "month-to-month").toBuilder().setModelVersion("2").build()))) {
      assertThatThrownBy(unknown::run).isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
        assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND);
        assertThat(e.getStatus().getDescription()).contains("this server serves model 'churn' version '3'");
      });
    }
  }

  @Test
  void typedContentsAreScoredAsRestScoresThem() throws Exception {
    ModelInferResponse answer = withDeadline(grpc).modelInfer(typed("grpc-typed-1", 2, 3, 95, 6, "month-to-month"));
    assertThat(answer.getModelName()).isEqualTo("churn");
    assertThat(answer.getModelVersion()).isEqualTo("3");
    assertThat(answer.getId()).isEqualTo("grpc-typed-1");
    ModelInferResponse.InferOutputTensor probabilities = answer.getOutputs(0);
    assertThat(probabilities.getName()).isEqualTo("probabilities");
    assertThat(probabilities.getDatatype()).isEqualTo("FP32");
    assertThat(probabilities.getShapeList()).containsExactly(2L, 2L);
    List<Float> p = probabilities.getContents().getFp32ContentsList();
    float expected = expected(3, 95, 6, "month-to-month");
    assertThat(p.get(1)).as("the server answers what the model computes").isCloseTo(expected, Offset.offset(1e-6f));
    assertThat(p.get(0) + p.get(1)).isCloseTo(1f, Offset.offset(1e-5f));
    ModelInferResponse.InferOutputTensor predicted = answer.getOutputs(1);
    assertThat(predicted.getName()).isEqualTo("predicted_class");
    assertThat(predicted.getDatatype()).isEqualTo("BYTES");
    assertThat(predicted.getContents().getBytesContents(0).toStringUtf8()).isEqualTo(expected > 0.5 ? "yes" : "no");

    JsonNode rest = ModelServerTest.json(http.post("/v2/models/churn/infer", ModelServerTest.named(2, 3, 95, 6, "month-to-month", null)));
    assertThat((double) p.get(1)).as("gRPC and REST give the same answer").isCloseTo(rest.path("outputs").get(0).path("data").get(1).asDouble(),
        Offset.offset(1e-6));

    String generated = withDeadline(grpc).modelInfer(typed(null, 1, 3, 95, 6, "month-to-month")).getId();
    assertThat(generated).as("a request without an id gets one, for feedback").isNotBlank();
  }

  @Test
  void theRequestsOutputsAreAnsweredAsRestAnswersThem() throws Exception {
    ModelInferRequest row = typed("grpc-outputs-1", 1, 3, 95, 6, "month-to-month");
    ModelInferResponse onlyClass = withDeadline(grpc).modelInfer(withOutputs(row, "predicted_class"));
    assertThat(onlyClass.getOutputsList()).extracting(ModelInferResponse.InferOutputTensor::getName).containsExactly("predicted_class");
    ModelInferResponse reordered = withDeadline(grpc).modelInfer(withOutputs(row, "predicted_class", "probabilities"));
    assertThat(reordered.getOutputsList()).extracting(ModelInferResponse.InferOutputTensor::getName)
        .containsExactly("predicted_class", "probabilities");
    JsonNode rest = ModelServerTest.json(http.post("/v2/models/churn/infer", """
        {"inputs": [{"name": "tenure_months", "shape": [1], "datatype": "FP32", "data": [3]},
          {"name": "monthly_charges", "shape": [1], "datatype": "FP32", "data": [95]},
          {"name": "support_calls", "shape": [1], "datatype": "INT32", "data": [6]},
          {"name": "contract", "shape": [1], "datatype": "BYTES", "data": ["month-to-month"]}],
         "outputs": [{"name": "predicted_class"}, {"name": "probabilities"}]}"""));
    assertThat(rest.path("outputs").get(0).path("name").asText()).as("REST answers the same outputs in the same order").isEqualTo("predicted_class");
    assertThat(reordered.getOutputs(0).getContents().getBytesContents(0).toStringUtf8()).isEqualTo(rest.path("outputs").get(0).path("data").get(0).asText());

    ModelInferResponse rawOne = withDeadline(grpc).modelInfer(withOutputs(raw(3, 95, 6, "month-to-month"), "probabilities"));
    assertThat(rawOne.getOutputsList()).extracting(ModelInferResponse.InferOutputTensor::getName).containsExactly("probabilities");
    assertThat(rawOne.getRawOutputContentsCount()).as("one raw content per output answered").isEqualTo(1);

    for (ModelInferRequest refused : List.of(withOutputs(row, "predictions"), withOutputs(row, "probabilities", "probabilities"))) {
      assertThatThrownBy(() -> withDeadline(grpc).modelInfer(refused)).isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
        assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
        assertThat(e.getStatus().getDescription()).containsAnyOf("unknown output 'predictions'", "output 'probabilities' is requested twice");
      });
    }
  }

  private static ModelInferRequest withOutputs(ModelInferRequest request, String... names) {
    ModelInferRequest.Builder builder = request.toBuilder();
    for (String name : names) {
      builder.addOutputs(ModelInferRequest.InferRequestedOutputTensor.newBuilder().setName(name));
    }
    return builder.build();
  }

  @Test
  void rawContentsAreDecodedAndAnsweredRaw() throws Exception {
    ModelInferResponse answer = withDeadline(grpc).modelInfer(raw(3, 95, 6, "month-to-month"));
    assertThat(answer.getOutputs(0).hasContents()).as("raw in, raw out").isFalse();
    assertThat(answer.getRawOutputContentsCount()).isEqualTo(2);
    ByteBuffer probabilities = answer.getRawOutputContents(0).asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
    assertThat(probabilities.remaining()).isEqualTo(8);
    float yes = probabilities.getFloat(4);
    assertThat(yes).isCloseTo(expected(3, 95, 6, "month-to-month"), Offset.offset(1e-6f));
    ByteBuffer predicted = answer.getRawOutputContents(1).asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
    int length = predicted.getInt();
    byte[] text = new byte[length];
    predicted.get(text);
    assertThat(new String(text, StandardCharsets.UTF_8)).isEqualTo(yes > 0.5 ? "yes" : "no");
    assertThat(predicted.remaining()).isZero();
  }

  // ---- refusals

  /** Malformed requests, each with the code it must get. */
  static Map<String, Map.Entry<ModelInferRequest, Status.Code>> malformed() {
    ModelInferRequest good = typed(null, 1, 3, 95, 6, "month-to-month");
    Map<String, Map.Entry<ModelInferRequest, Status.Code>> cases = new java.util.LinkedHashMap<>();
    cases.put("no inputs", Map.entry(good.toBuilder().clearInputs().build(), Status.Code.INVALID_ARGUMENT));
    cases.put("unknown feature", Map.entry(good.toBuilder().setInputs(0, good.getInputs(0).toBuilder().setName("tenure")).build(),
        Status.Code.INVALID_ARGUMENT));
    cases.put("missing feature", Map.entry(good.toBuilder().removeInputs(3).build(), Status.Code.INVALID_ARGUMENT));
    cases.put("repeated feature", Map.entry(good.toBuilder().setInputs(1, good.getInputs(0)).build(), Status.Code.INVALID_ARGUMENT));
    cases.put("values in another datatype's field", Map.entry(good.toBuilder().setInputs(0, good.getInputs(0).toBuilder()
        .setContents(InferTensorContents.newBuilder().addIntContents(3))).build(), Status.Code.INVALID_ARGUMENT));
    cases.put("unknown datatype", Map.entry(good.toBuilder().setInputs(0, good.getInputs(0).toBuilder().setDatatype("FLOAT")).build(),
        Status.Code.INVALID_ARGUMENT));
    cases.put("FP16 in contents", Map.entry(good.toBuilder().setInputs(0, good.getInputs(0).toBuilder().setDatatype("FP16")).build(),
        Status.Code.INVALID_ARGUMENT));
    cases.put("categorical sent as a number", Map.entry(good.toBuilder().setInputs(3, input("contract", "FP32", 1)
        .setContents(InferTensorContents.newBuilder().addFp32Contents(1))).build(), Status.Code.INVALID_ARGUMENT));
    cases.put("value count not the shape's", Map.entry(good.toBuilder().setInputs(0, good.getInputs(0).toBuilder().setShape(0, 2)).build(),
        Status.Code.INVALID_ARGUMENT));
    cases.put("batch sizes disagree", Map.entry(typed(null, 2, 3, 95, 6, "one-year").toBuilder().setInputs(0, good.getInputs(0)).build(),
        Status.Code.INVALID_ARGUMENT));
    cases.put("NaN", Map.entry(good.toBuilder().setInputs(0, good.getInputs(0).toBuilder()
        .setContents(InferTensorContents.newBuilder().addFp32Contents(Float.NaN))).build(), Status.Code.INVALID_ARGUMENT));
    cases.put("negative dimension", Map.entry(good.toBuilder().setInputs(0, good.getInputs(0).toBuilder().setShape(0, -1)).build(),
        Status.Code.INVALID_ARGUMENT));
    cases.put("more rows than a request may carry", Map.entry(good.toBuilder().setInputs(0, good.getInputs(0).toBuilder().setShape(0, 5000)).build(),
        Status.Code.INVALID_ARGUMENT));
    cases.put("id over 256 characters", Map.entry(good.toBuilder().setId("x".repeat(257)).build(), Status.Code.INVALID_ARGUMENT));
    ModelInferRequest raw = raw(3, 95, 6, "month-to-month");
    cases.put("raw: one entry short", Map.entry(raw.toBuilder().clearRawInputContents().addAllRawInputContents(raw.getRawInputContentsList()
        .subList(0, 3)).build(), Status.Code.INVALID_ARGUMENT));
    cases.put("raw: not a whole number of values", Map.entry(raw.toBuilder().setRawInputContents(0, ByteString.copyFrom(new byte[7])).build(),
        Status.Code.INVALID_ARGUMENT));
    cases.put("raw: BYTES length past the end", Map.entry(raw.toBuilder().setRawInputContents(3, ByteString.copyFrom(new byte[] {9, 0, 0, 0, 'a'}))
        .build(), Status.Code.INVALID_ARGUMENT));
    cases.put("raw and contents together", Map.entry(raw.toBuilder().setInputs(0, raw.getInputs(0).toBuilder()
        .setContents(InferTensorContents.newBuilder().addFp64Contents(3))).build(), Status.Code.INVALID_ARGUMENT));
    cases.put("a message over --max-request-bytes", Map.entry(good.toBuilder().setId("x".repeat(2 << 20)).build(), Status.Code.RESOURCE_EXHAUSTED));
    cases.put("unknown model", Map.entry(good.toBuilder().setModelName("fraud").build(), Status.Code.NOT_FOUND));
    return cases;
  }

  @Test
  void malformedRequestsAreRefusedWithTheCodeOfTheirRestRefusal() throws Exception {
    String badRequests = "flywheel_requests_total{model=\"churn\",outcome=\"bad_request\",version=\"3\"}";
    double before = http.metric(badRequests);
    int counted = 0;
    for (var entry : malformed().entrySet()) {
      Status.Code expected = entry.getValue().getValue();
      assertThatThrownBy(() -> withDeadline(grpc).modelInfer(entry.getValue().getKey())).as(entry.getKey())
          .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
            assertThat(e.getStatus().getCode()).as(entry.getKey() + ": " + e.getStatus()).isEqualTo(expected);
            assertThat(e.getStatus().getDescription()).as(entry.getKey()).isNotBlank().doesNotContain("Exception");
          });
      counted += expected == Status.Code.INVALID_ARGUMENT ? 1 : 0;
    }
    assertThat(http.metric(badRequests) - before).as("every refusal the server made is counted as REST's are").isEqualTo(counted);
    assertThat(grpc.serverLive(ServerLiveRequest.getDefaultInstance()).getLive()).as("the server still answers").isTrue();
  }

  @Test
  void valuesMustFitTheirDatatypeAndTheModelsInputAsOverRest() {
    ModelInferRequest good = typed(null, 1, 3, 95, 6, "month-to-month");
    Map<String, Map.Entry<ModelInferRequest, String>> cases = new java.util.LinkedHashMap<>();
    cases.put("INT8 300 in int_contents", Map.entry(good.toBuilder().setInputs(2, input("support_calls", "INT8", 1)
        .setContents(InferTensorContents.newBuilder().addIntContents(300))).build(), "outside its range -128 to 127"));
    cases.put("UINT32 4294967295 (the bits of -1) in uint_contents", Map.entry(good.toBuilder().setInputs(2, input("support_calls", "UINT32", 1)
        .setContents(InferTensorContents.newBuilder().addUintContents(-1))).build(), ""));
    cases.put("FP64 1e300, beyond the model's FP32", Map.entry(good.toBuilder().setInputs(0, input("tenure_months", "FP64", 1)
        .setContents(InferTensorContents.newBuilder().addFp64Contents(1e300))).build(), "computes in FP32"));
    cases.put("FP32 infinity", Map.entry(good.toBuilder().setInputs(0, input("tenure_months", "FP32", 1)
        .setContents(InferTensorContents.newBuilder().addFp32Contents(Float.POSITIVE_INFINITY))).build(), "NaN or infinity"));
    for (var entry : cases.entrySet()) {
      if (entry.getValue().getValue().isEmpty()) {
        // UINT32 4294967295 fits its datatype: scored, not wrapped to -1
        assertThat(withDeadline(grpc).modelInfer(entry.getValue().getKey()).getOutputsCount()).as(entry.getKey()).isEqualTo(2);
        continue;
      }
      assertThatThrownBy(() -> withDeadline(grpc).modelInfer(entry.getValue().getKey())).as(entry.getKey())
          .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
            assertThat(e.getStatus().getCode()).as(entry.getKey()).isEqualTo(Status.Code.INVALID_ARGUMENT);
            assertThat(e.getStatus().getDescription()).as(entry.getKey()).contains(entry.getValue().getValue());
          });
    }
  }

  @Test
  void aNonFiniteModelOutputIsRefusedAndRecordedNowhere() throws Exception {
    ServerSettings settings = ServerSettings.defaults("127.0.0.1", 0, "churn", "nan");
    UnaryOperator<float[][]> scorer = rows -> {
      float[][] scores = churn.score(rows);
      if (rows[0][0] > 1000) { // a standardised tenure far beyond training: this model's output is NaN there
        scores[0][0] = Float.NaN;
      }
      return scores;
    };
    ManagedChannel own = null;
    try (ModelServer nan = new ModelServer(settings, churn.metadata(), churn.digest(), churn.engine(), scorer)) {
      ServerHarness rest = new ServerHarness(nan.start());
      own = channel(nan.startGrpc(0));
      nan.warmUpAndMarkReady();
      var stub = GRPCInferenceServiceGrpc.newBlockingStub(own);
      assertThatThrownBy(() -> withDeadline(stub).modelInfer(typed("far", 1, 1e6f, 95, 6, "one-year")))
          .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
            assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
            assertThat(e.getStatus().getDescription()).contains("not a finite number").contains("nothing was recorded");
          });
      assertThat(rest.metric("flywheel_request_errors_total{model=\"churn\",reason=\"non_finite_output\",version=\"nan\"}")).isEqualTo(1);
      assertThat(rest.metric("flywheel_requests_total{model=\"churn\",outcome=\"bad_request\",version=\"nan\"}")).isEqualTo(1);
    } finally {
      if (own != null) {
        own.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      }
    }
  }

  // ---- shared with REST

  @Test
  void feedbackIdsMetricsAndDriftAreSharedWithRest() throws Exception {
    String ok = "flywheel_requests_total{model=\"churn\",outcome=\"ok\",version=\"3\"}";
    String window = "flywheel_drift_window_rows{model=\"churn\",version=\"3\"}";
    double okBefore = http.metric(ok);
    double windowBefore = http.metric(window);
    ModelInferResponse answer = withDeadline(grpc).modelInfer(typed("grpc-feedback-1", 4, 2, 100, 7, "month-to-month"));
    assertThat(http.metric(ok)).as("gRPC requests count in the REST server's metrics").isEqualTo(okBefore + 1);
    assertThat(http.metric(window)).as("their rows enter the drift window").isEqualTo(Math.min(400, windowBefore + 4));

    String right = answer.getOutputs(1).getContents().getBytesContents(0).toStringUtf8();
    String labels = "[\"" + right + "\", \"" + right + "\", \"" + right + "\", \"" + right + "\"]";
    HttpResponse<String> feedback = http.post("/v1/feedback", "{\"id\": \"grpc-feedback-1\", \"labels\": " + labels + "}");
    assertThat(feedback.statusCode()).as(feedback.body()).isEqualTo(200);
    assertThat(ModelServerTest.json(feedback).path("accepted").asInt()).as("a gRPC request's id takes REST feedback").isEqualTo(4);
  }

  @Test
  void overloadIsResourceExhaustedAndATimeoutUnavailableSharingRestsAdmission() throws Exception {
    CountDownLatch gate = new CountDownLatch(1);
    AtomicBoolean gated = new AtomicBoolean(false);
    UnaryOperator<float[][]> scorer = rows -> {
      if (gated.get()) {
        try {
          gate.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      return churn.score(rows);
    };
    ServerSettings settings = ServerSettings.defaults("127.0.0.1", 0, "churn", "gated").withLimits(2, Duration.ofSeconds(3));
    ManagedChannel own = null;
    try (ModelServer gatedServer = new ModelServer(settings, churn.metadata(), churn.digest(), churn.engine(), scorer)) {
      ServerHarness client = new ServerHarness(gatedServer.start());
      own = channel(gatedServer.startGrpc(0));
      var stub = GRPCInferenceServiceGrpc.newBlockingStub(own);
      gatedServer.warmUpAndMarkReady();
      // Connected and through the gRPC path once before the gate closes, so that on a busy machine the gRPC request
      // reaches the server while the REST one still holds its place (not after it timed out).
      assertThat(withDeadline(stub).modelInfer(typed(null, 1, 3, 95, 6, "month-to-month")).getOutputsCount()).isEqualTo(2);
      gated.set(true);
      String inFlight = "flywheel_in_flight_requests{model=\"churn\",version=\"gated\"}";
      List<CompletableFuture<?>> stuck = new ArrayList<>();
      stuck.add(CompletableFuture.supplyAsync(() -> {
        try {
          return client.post("/v2/models/churn/infer", ModelServerTest.named(1, 3, 95, 6, "month-to-month", null)).statusCode();
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
      }));
      awaitMetric(client, inFlight, 1);
      stuck.add(CompletableFuture.supplyAsync(() -> {
        try {
          return withDeadline(stub).modelInfer(typed(null, 1, 3, 95, 6, "month-to-month"));
        } catch (StatusRuntimeException e) {
          return e.getStatus().getCode();
        }
      }));
      awaitMetric(client, inFlight, 2);

      long before = System.nanoTime();
      assertThatThrownBy(() -> withDeadline(stub).modelInfer(typed(null, 1, 3, 95, 6, "month-to-month")))
          .as("REST and gRPC requests share one admission limit")
          .isInstanceOfSatisfying(StatusRuntimeException.class, e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED));
      assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - before)).as("refused at once, not queued").isLessThan(1000);

      assertThat(stuck.get(0).get(10, TimeUnit.SECONDS)).as("REST request past the timeout").isEqualTo(503);
      assertThat(stuck.get(1).get(10, TimeUnit.SECONDS)).as("gRPC request past the timeout").isEqualTo(Status.Code.UNAVAILABLE);
      gate.countDown();
      assertThat(client.metric("flywheel_requests_total{model=\"churn\",outcome=\"overloaded\",version=\"gated\"}")).isEqualTo(1);
      assertThat(client.metric("flywheel_requests_total{model=\"churn\",outcome=\"timeout\",version=\"gated\"}")).isEqualTo(2);
    } finally {
      if (own != null) {
        own.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      }
    }
  }

  @Test
  void beforeWarmUpInferenceIsUnavailableAndTheServerNotReady() throws Exception {
    ServerSettings settings = ServerSettings.defaults("127.0.0.1", 0, "churn", "cold");
    ManagedChannel own = null;
    try (ModelServer cold = new ModelServer(settings, churn.metadata(), churn.digest(), churn.engine(), churn::score)) {
      cold.start();
      own = channel(cold.startGrpc(0));
      var stub = GRPCInferenceServiceGrpc.newBlockingStub(own);
      assertThat(stub.serverLive(ServerLiveRequest.getDefaultInstance()).getLive()).isTrue();
      assertThat(stub.serverReady(ServerReadyRequest.getDefaultInstance()).getReady()).isFalse();
      assertThat(stub.modelReady(ModelReadyRequest.newBuilder().setName("churn").build()).getReady()).isFalse();
      assertThatThrownBy(() -> withDeadline(stub).modelInfer(typed(null, 1, 3, 95, 6, "one-year")))
          .isInstanceOfSatisfying(StatusRuntimeException.class, e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE));
    } finally {
      if (own != null) {
        own.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      }
    }
  }

  private static void awaitMetric(ServerHarness client, String sample, double value) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (client.metric(sample) < value && System.nanoTime() < deadline) {
      Thread.sleep(5);
    }
    assertThat(client.metric(sample)).isEqualTo(value);
  }
}
