package dev.flywheel.model.serve.grpc;

import dev.flywheel.model.serve.InferenceFlow;
import dev.flywheel.model.serve.InferenceResult;
import dev.flywheel.model.serve.ModelService;
import dev.flywheel.model.serve.grpc.v2.GRPCInferenceServiceGrpc;
import dev.flywheel.model.serve.grpc.v2.ModelInferRequest;
import dev.flywheel.model.serve.grpc.v2.ModelInferResponse;
import dev.flywheel.model.serve.grpc.v2.ModelMetadataRequest;
import dev.flywheel.model.serve.grpc.v2.ModelMetadataResponse;
import dev.flywheel.model.serve.grpc.v2.ModelReadyRequest;
import dev.flywheel.model.serve.grpc.v2.ModelReadyResponse;
import dev.flywheel.model.serve.grpc.v2.ServerLiveRequest;
import dev.flywheel.model.serve.grpc.v2.ServerLiveResponse;
import dev.flywheel.model.serve.grpc.v2.ServerMetadataRequest;
import dev.flywheel.model.serve.grpc.v2.ServerMetadataResponse;
import dev.flywheel.model.serve.grpc.v2.ServerReadyRequest;
import dev.flywheel.model.serve.grpc.v2.ServerReadyResponse;
import io.grpc.Status;
import java.util.List;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;

/**
 * {@code inference.GRPCInferenceService}, the Open Inference Protocol over gRPC: the same readiness, metadata and
 * inference as REST ({@link ModelService}), with gRPC status codes for REST's refusals ({@link GrpcStatus}).
 */
final class InferenceGrpcService extends GRPCInferenceServiceGrpc.GRPCInferenceServiceImplBase {
  private final ModelService service;

  InferenceGrpcService(ModelService service) {
    this.service = service;
  }

  @Override
  public void serverLive(ServerLiveRequest request, StreamObserver<ServerLiveResponse> answer) {
    reply(answer, ServerLiveResponse.newBuilder().setLive(true).build());
  }

  @Override
  public void serverReady(ServerReadyRequest request, StreamObserver<ServerReadyResponse> answer) {
    reply(answer, ServerReadyResponse.newBuilder().setReady(service.isReady()).build());
  }

  @Override
  public void modelReady(ModelReadyRequest request, StreamObserver<ModelReadyResponse> answer) {
    if (known(request.getName(), request.getVersion(), answer)) {
      reply(answer, ModelReadyResponse.newBuilder().setReady(service.isReady()).build());
    }
  }

  @Override
  public void serverMetadata(ServerMetadataRequest request, StreamObserver<ServerMetadataResponse> answer) {
    reply(answer, ProtoAnswers.server(service.serverMetadata()));
  }

  @Override
  public void modelMetadata(ModelMetadataRequest request, StreamObserver<ModelMetadataResponse> answer) {
    if (known(request.getName(), request.getVersion(), answer)) {
      reply(answer, ProtoAnswers.model(service.modelMetadata()));
    }
  }

  @Override
  public void modelInfer(ModelInferRequest request, StreamObserver<ModelInferResponse> answer) {
    if (!known(request.getModelName(), request.getModelVersion(), answer)) {
      return;
    }
    // Without a cancel handler grpc-java throws when a cancelled call is answered; the flow answers it anyway.
    ((ServerCallStreamObserver<ModelInferResponse>) answer).setOnCancelHandler(() -> {});
    boolean raw = request.getRawInputContentsCount() > 0;
    List<String> outputs = request.getOutputsList().stream().map(ModelInferRequest.InferRequestedOutputTensor::getName).toList();
    service.inference().infer(request.getId(), () -> ProtoInputs.of(request), outputs, new InferenceFlow.Responder() {
      @Override
      public void answer(InferenceResult result, List<String> chosen) {
        reply(answer, ProtoAnswers.infer(service.settings().modelName(), service.settings().modelVersion(), result, chosen, raw));
      }

      @Override
      public void refuse(InferenceFlow.Refusal refusal) {
        answer.onError(GrpcStatus.of(refusal).asRuntimeException());
      }
    });
  }

  /** Whether this server serves the model; if not, the call is answered NOT_FOUND. */
  private boolean known(String name, String version, StreamObserver<?> answer) {
    String unknown = service.unknownModel(name, version);
    if (unknown != null) {
      answer.onError(Status.NOT_FOUND.withDescription(unknown).asRuntimeException());
      return false;
    }
    return true;
  }

  private static <T> void reply(StreamObserver<T> answer, T message) {
    answer.onNext(message);
    answer.onCompleted();
  }
}
