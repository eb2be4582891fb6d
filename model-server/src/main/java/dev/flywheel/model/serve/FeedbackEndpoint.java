package dev.flywheel.model.serve;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.flywheel.model.bundle.ModelMetadata;
import dev.flywheel.model.serve.capture.TrafficCapture;
import dev.flywheel.model.serve.http.HttpCall;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * POST /v1/feedback: delayed ground-truth labels for requests this server scored, {"id": …, "label": …} or
 * {"id": …, "labels": […]} (one per row), or an array of them. A request id takes labels once, and only while the
 * server remembers scoring it; a body is taken whole or not at all, checked in this order: 400 for a malformed item
 * or label, 404 when an id is unknown (never scored here, or forgotten), 409 when an id was labelled already or comes
 * twice in the body, 400 when the label count is not the request's row count — and then no label is recorded
 * anywhere (only a 404 or 409 is counted, by result). Accepted labels are scored against what the
 * request predicted (online accuracy or mean absolute error) and handed to traffic capture.
 */
final class FeedbackEndpoint {
  private final ModelMetadata metadata;
  private final boolean classification;
  private final FeedbackTracker feedback;
  private final TrafficCapture capture;
  private final ServerMetrics metrics;
  private final int maxRequestBytes;

  /** One item of the body: the request id and its labels. */
  private record Item(String id, JsonNode labels) {}

  FeedbackEndpoint(ModelMetadata metadata, FeedbackTracker feedback, TrafficCapture capture, ServerMetrics metrics, int maxRequestBytes) {
    this.metadata = metadata;
    this.classification = metadata.isClassification();
    this.feedback = feedback;
    this.capture = capture;
    this.metrics = metrics;
    this.maxRequestBytes = maxRequestBytes;
  }

  void handle(HttpCall call) throws IOException {
    List<Item> items;
    try {
      items = items(call);
    } catch (BadRequest e) {
      ServerJson.error(call, e.status(), e.getMessage());
      return;
    }
    Set<String> unknown = new LinkedHashSet<>();
    Set<String> labelled = new LinkedHashSet<>();
    int unknownItems = 0;
    int labelledItems = 0;
    Map<String, FeedbackTracker.Prediction> open = new LinkedHashMap<>();
    for (Item item : items) {
      FeedbackTracker.Prediction prediction = feedback.open(item.id());
      if (open.containsKey(item.id()) || (prediction == null && feedback.standing(item.id()) == FeedbackTracker.Standing.LABELLED)) {
        labelled.add(item.id());
        labelledItems++;
      } else if (prediction != null) {
        open.put(item.id(), prediction);
      } else {
        unknown.add(item.id());
        unknownItems++;
      }
    }
    if (!unknown.isEmpty()) {
      refuse(call, 404, "unknown_id", unknownItems, "no prediction to label for " + shortList(unknown) + ": this server never scored "
          + (unknown.size() == 1 ? "that request id" : "those request ids") + ", or scored " + (unknown.size() == 1 ? "it" : "them")
          + " too long ago; nothing was recorded", "unknownIds", unknown);
      return;
    }
    if (!labelled.isEmpty()) {
      refuse(call, 409, "replayed", labelledItems, "request " + shortList(labelled) + " " + (labelled.size() == 1 ? "has" : "have")
          + " labels already, or more than once in this body (a request id takes labels once); nothing was recorded",
          "alreadyLabelledIds", labelled);
      return;
    }
    List<Double> outcomes = new ArrayList<>();
    for (Item item : items) {
      String problem = score(item, open.get(item.id()), outcomes);
      if (problem != null) {
        ServerJson.error(call, 400, problem + "; nothing was recorded");
        return;
      }
    }
    List<String> lost = feedback.label(open, outcomes);
    if (!lost.isEmpty()) {
      refuse(call, 409, "replayed", lost.size(), "request " + shortList(lost) + " got labels from another feedback at the same time;"
          + " nothing was recorded", "alreadyLabelledIds", lost);
      return;
    }
    items.forEach(item -> capture.labelled(item.id(), item.labels()));
    count(outcomes);
    ObjectNode answer = ServerJson.object().put("accepted", outcomes.size());
    answer.putArray("unknownIds");
    ServerJson.reply(call, 200, answer);
  }

  /** The items of the body, each with a string id and a non-empty array of labels. */
  private List<Item> items(HttpCall call) throws BadRequest {
    JsonNode root;
    try {
      root = ServerJson.MAPPER.readTree(RequestBody.of(call, maxRequestBytes));
    } catch (IOException e) {
      throw BadRequest.of("malformed_json", "feedback body is not valid JSON");
    }
    List<JsonNode> nodes = new ArrayList<>();
    if (root != null && root.isArray()) {
      root.forEach(nodes::add);
    } else if (root != null && root.isObject()) {
      nodes.add(root);
    }
    if (nodes.isEmpty()) {
      throw BadRequest.of("malformed_feedback", "feedback must be an object {\"id\": …, \"label\": …} or {\"id\": …, \"labels\": […]}, or an array of them");
    }
    List<Item> items = new ArrayList<>();
    for (JsonNode node : nodes) {
      String id = node.path("id").isTextual() ? node.get("id").asText() : null;
      JsonNode labels = node.has("labels") ? node.get("labels") : node.has("label") ? ServerJson.MAPPER.createArrayNode().add(node.get("label")) : null;
      if (id == null || labels == null || !labels.isArray() || labels.isEmpty()) {
        throw BadRequest.of("malformed_feedback", "each feedback item needs a string \"id\" and a \"label\" or a \"labels\" array");
      }
      for (JsonNode label : labels) {
        String problem = labelProblem(label);
        if (problem != null) {
          throw BadRequest.of("malformed_feedback", problem + "; nothing was recorded");
        }
      }
      items.add(new Item(id, labels));
    }
    return items;
  }

  /** What is wrong with a label for this model (not a class name; for regression not a finite FP32 number), or null. */
  private String labelProblem(JsonNode label) {
    if (classification) {
      if (!label.isTextual() && !label.isNumber() && !label.isBoolean()) {
        return "label " + label + " is not a class name";
      }
      if (!metadata.classes().contains(label.asText())) {
        return "label '" + label.asText() + "' is not one of the model's classes " + metadata.classes();
      }
      return null;
    }
    if (!label.isNumber() || !Float.isFinite((float) label.asDouble())) {
      return "label " + label + " must be a finite number within FP32's range (as the model's predictions are) for a regression model";
    }
    return null;
  }

  /**
   * Scores an item's labels against its request's prediction into outcomes (1/0 for a right/wrong class, or the
   * absolute error); returns what is wrong instead (a label count that is not the request's row count), or null.
   */
  private String score(Item item, FeedbackTracker.Prediction prediction, List<Double> outcomes) {
    JsonNode labels = item.labels();
    if (labels.size() != prediction.size()) {
      return "request " + item.id() + " scored " + prediction.size() + " rows but " + labels.size() + " labels were sent";
    }
    for (int i = 0; i < labels.size(); i++) {
      JsonNode label = labels.get(i);
      outcomes.add(classification ? (prediction.classes()[i].equals(label.asText()) ? 1.0 : 0.0)
          : Math.abs(prediction.values()[i] - label.asDouble()));
    }
    return null;
  }

  private void count(List<Double> outcomes) {
    if (classification) {
      long correct = outcomes.stream().filter(o -> o == 1.0).count();
      metrics.feedback("correct", correct);
      metrics.feedback("incorrect", outcomes.size() - correct);
    } else {
      metrics.feedback("recorded", outcomes.size());
    }
  }

  /** A 404/409 refusal: its items counted by result, answered with the error and the ids it concerns. */
  private void refuse(HttpCall call, int status, String result, int items, String message, String field, Collection<String> ids) {
    metrics.feedback(result, items);
    ObjectNode body = ServerJson.object().put("error", message);
    ArrayNode list = body.putArray(field);
    ids.forEach(list::add);
    ServerJson.errorWith(call, status, body);
  }

  /** Ids for a message: the first few, and how many more. */
  private static String shortList(Collection<String> ids) {
    List<String> first = ids.stream().limit(5).toList();
    return first + (ids.size() > first.size() ? " (and " + (ids.size() - first.size()) + " more)" : "");
  }
}
