package dev.flywheel.model.serve;

import dev.flywheel.model.bundle.ModelMetadata;
import dev.flywheel.model.serve.http.HttpCall;
import java.io.IOException;
import java.util.List;

/**
 * POST /v2/models/{name}/infer: the REST side of {@link InferenceFlow} — the body is read as JSON
 * ({@link InferenceRequestReader}), the answer written as JSON with the outputs the request asked for
 * ({@link InferenceResponseWriter}), a refusal is a JSON error with its HTTP status (429 with Retry-After; 400 for rows
 * the model cannot score, which are recorded nowhere).
 */
final class InferenceEndpoint {
  private final ServerSettings settings;
  private final InferenceFlow flow;
  private final InferenceRequestReader reader;
  private final InferenceResponseWriter writer;

  InferenceEndpoint(ServerSettings settings, ModelMetadata metadata, InferenceFlow flow) {
    this.settings = settings;
    this.flow = flow;
    this.reader = new InferenceRequestReader(flow.tensorRows(), InferenceResponseWriter.outputNames(metadata));
    this.writer = new InferenceResponseWriter(settings.modelName(), settings.modelVersion(), metadata);
  }

  void handle(HttpCall call) {
    flow.infer(() -> reader.read(RequestBody.of(call, settings.maxRequestBytes())), new InferenceFlow.Responder() {
      @Override
      public void answer(InferenceResult result, List<String> outputs) throws IOException {
        InferenceResponseWriter.Answer answer = writer.write(result, outputs);
        call.respond(200, ServerJson.CONTENT_TYPE, answer.bytes(), answer.length());
      }

      @Override
      public void refuse(InferenceFlow.Refusal refusal) {
        if (refusal.status() == 429) {
          ServerJson.error(call, 429, refusal.message(), "Retry-After", "1");
        } else {
          ServerJson.error(call, refusal.status(), refusal.message());
        }
      }
    });
  }
}
