package dev.flywheel.model.serve;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.flywheel.model.bundle.ModelMetadata;
import dev.flywheel.model.serve.capture.TrafficCapture;
import dev.flywheel.model.serve.http.HttpCall;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * POST /v1/feedback: delayed ground-truth labels for requests this server scored, {"id": …, "label": …} or
 * {"id": …, "labels": […]} (one per row), or an array of them. Labels are scored against what the request predicted
 * (online accuracy or mean absolute error) and handed to traffic capture.
 */
final class FeedbackEndpoint {
  private final ModelMetadata metadata;
  private final boolean classification;
  private final FeedbackTracker feedback;
  private final TrafficCapture capture;
  private final ServerMetrics metrics;
  private final int maxRequestBytes;

  FeedbackEndpoint(ModelMetadata metadata, FeedbackTracker feedback, TrafficCapture capture, ServerMetrics metrics, int maxRequestBytes) {
    this.metadata = metadata;
    this.classification = metadata.isClassification();
    this.feedback = feedback;
    this.capture = capture;
    this.metrics = metrics;
    this.maxRequestBytes = maxRequestBytes;
  }

  void handle(HttpCall call) throws IOException {
    JsonNode root;
    try {
      root = ServerJson.MAPPER.readTree(RequestBody.of(call, maxRequestBytes));
    } catch (BadRequest e) {
      ServerJson.error(call, e.status(), e.getMessage());
      return;
    } catch (IOException e) {
      ServerJson.error(call, 400, "feedback body is not valid JSON");
      return;
    }
    List<JsonNode> items = new ArrayList<>();
    if (root != null && root.isArray()) {
      root.forEach(items::add);
    } else if (root != null && root.isObject()) {
      items.add(root);
    }
    if (items.isEmpty()) {
      ServerJson.error(call, 400, "feedback must be an object {\"id\": …, \"label\": …} or {\"id\": …, \"labels\": […]}, or an array of them");
      return;
    }
    List<double[]> outcomes = new ArrayList<>();
    ArrayNode unknown = ServerJson.MAPPER.createArrayNode();
    for (JsonNode item : items) {
      String id = item.path("id").isTextual() ? item.get("id").asText() : null;
      JsonNode labels = item.has("labels") ? item.get("labels") : item.has("label") ? ServerJson.MAPPER.createArrayNode().add(item.get("label")) : null;
      if (id == null || labels == null || !labels.isArray() || labels.isEmpty()) {
        ServerJson.error(call, 400, "each feedback item needs a string \"id\" and a \"label\" or a \"labels\" array");
        return;
      }
      FeedbackTracker.Prediction prediction = feedback.prediction(id);
      if (prediction == null) {
        unknown.add(id);
        continue;
      }
      if (labels.size() != prediction.size()) {
        ServerJson.error(call, 400, "request " + id + " scored " + prediction.size() + " rows but " + labels.size() + " labels were sent");
        return;
      }
      for (int i = 0; i < labels.size(); i++) {
        JsonNode label = labels.get(i);
        if (classification) {
          if (!label.isTextual() && !label.isNumber() && !label.isBoolean()) {
            ServerJson.error(call, 400, "label " + label + " is not a class name");
            return;
          }
          String text = label.asText();
          if (!metadata.classes().contains(text)) {
            ServerJson.error(call, 400, "label '" + text + "' is not one of the model's classes " + metadata.classes());
            return;
          }
          outcomes.add(new double[] {prediction.classes()[i].equals(text) ? 1 : 0});
        } else {
          if (!label.isNumber() || !Double.isFinite(label.asDouble())) {
            ServerJson.error(call, 400, "label " + label + " must be a finite number for a regression model");
            return;
          }
          outcomes.add(new double[] {Math.abs(prediction.values()[i] - label.asDouble())});
        }
      }
      capture.labelled(id, labels);
    }
    long correct = 0;
    for (double[] outcome : outcomes) {
      feedback.record(outcome[0]);
      correct += outcome[0] == 1 ? 1 : 0;
    }
    if (classification) {
      metrics.feedback("correct", correct);
      metrics.feedback("incorrect", outcomes.size() - correct);
    } else {
      metrics.feedback("recorded", outcomes.size());
    }
    metrics.feedback("unknown_id", unknown.size());
    ObjectNode answer = ServerJson.object().put("accepted", outcomes.size());
    answer.set("unknownIds", unknown);
    ServerJson.reply(call, 200, answer);
  }
}
