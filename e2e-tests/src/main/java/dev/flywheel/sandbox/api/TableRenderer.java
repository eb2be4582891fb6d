package dev.flywheel.sandbox.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;

/**
 * Server-side printing (Accept: application/json;as=Table;g=meta.k8s.io;v=v1): a meta.k8s.io/v1 Table with a CRD's
 * additionalPrinterColumns (dates as ages, as kube-apiserver renders them), or NAME and AGE for built-in kinds.
 */
final class TableRenderer {
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private TableRenderer() {}

  /** Whether the client asked for a Table. */
  static boolean wanted(String accept) {
    return accept != null && accept.contains("as=Table");
  }

  /** A Table of a list or of one object; includeObject=Object keeps the whole object in each row. */
  static ObjectNode render(ResourceType type, JsonNode listOrObject, boolean includeObject) {
    ObjectNode table = NODES.objectNode().put("kind", "Table").put("apiVersion", "meta.k8s.io/v1");
    table.putObject("metadata").put("resourceVersion", listOrObject.path("metadata").path("resourceVersion").asText(""));
    ArrayNode definitions = table.putArray("columnDefinitions");
    definitions.addObject().put("name", "Name").put("type", "string").put("format", "name").put("priority", 0)
        .put("description", "Name must be unique within a namespace.");
    List<JsonNode> columns = columns(type);
    for (JsonNode column : columns) {
      definitions.addObject().put("name", column.path("name").asText()).put("type", column.path("type").asText("string"))
          .put("format", column.path("format").asText("")).put("description", column.path("description").asText(""))
          .put("priority", column.path("priority").asInt(0));
    }
    ArrayNode rows = table.putArray("rows");
    Iterable<JsonNode> objects = listOrObject.has("items") ? listOrObject.get("items") : List.of(listOrObject);
    for (JsonNode object : objects) {
      ObjectNode row = rows.addObject();
      ArrayNode cells = row.putArray("cells");
      cells.add(object.path("metadata").path("name").asText());
      for (JsonNode column : columns) {
        cells.add(cell(column, object));
      }
      if (includeObject) {
        row.set("object", object);
      } else {
        ObjectNode partial = row.putObject("object").put("kind", "PartialObjectMetadata").put("apiVersion", "meta.k8s.io/v1");
        partial.set("metadata", object.path("metadata"));
      }
    }
    return table;
  }

  private static List<JsonNode> columns(ResourceType type) {
    if (type.printerColumns().isArray() && !type.printerColumns().isEmpty()) {
      List<JsonNode> columns = new java.util.ArrayList<>();
      type.printerColumns().forEach(columns::add);
      return columns;
    }
    return List.of(NODES.objectNode().put("name", "Age").put("type", "date").put("jsonPath", ".metadata.creationTimestamp")
        .put("description", "CreationTimestamp is a timestamp representing the server time when this object was created."));
  }

  private static JsonNode cell(JsonNode column, JsonNode object) {
    List<JsonNode> values = JsonPathColumn.evaluate(column.path("jsonPath").asText(), object);
    if (values.isEmpty()) {
      return NODES.nullNode();
    }
    String type = column.path("type").asText("string");
    if (values.size() == 1) {
      JsonNode value = values.get(0);
      if (type.equals("date")) {
        return NODES.textNode(age(value.asText()));
      }
      if ((type.equals("integer") || type.equals("number") || type.equals("boolean")) && value.isValueNode()) {
        return value;
      }
      return NODES.textNode(value.isValueNode() ? value.asText() : value.toString());
    }
    StringBuilder joined = new StringBuilder();
    for (JsonNode value : values) {
      joined.append(joined.length() == 0 ? "" : ",").append(value.isValueNode() ? value.asText() : value.toString());
    }
    return NODES.textNode(joined.toString());
  }

  /** 5s, 3m20s, 4h, 2d5h: kubectl's human-readable age. */
  static String age(String timestamp) {
    Duration age;
    try {
      age = Duration.between(Instant.parse(timestamp), Instant.now());
    } catch (DateTimeParseException e) {
      return "<invalid>";
    }
    long seconds = Math.max(0, age.getSeconds());
    if (seconds < 120) {
      return seconds + "s";
    }
    long minutes = seconds / 60;
    if (minutes < 10) {
      return minutes + "m" + (seconds % 60 == 0 ? "" : (seconds % 60) + "s");
    }
    if (minutes < 180) {
      return minutes + "m";
    }
    long hours = minutes / 60;
    if (hours < 48) {
      return hours + "h";
    }
    long days = hours / 24;
    return days < 8 ? days + "d" + (hours % 24 == 0 ? "" : (hours % 24) + "h") : days + "d";
  }
}
