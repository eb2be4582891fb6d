package dev.flywheel.sandbox.api;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The JSONPath subset of CRD printer columns: .a.b, .a[0], .a[*] and filters .a[?(@.type=="Ready")].status;
 * the values found are joined with commas, as kube-apiserver prints them.
 */
final class JsonPathColumn {
  private static final Pattern STEP = Pattern.compile(
      "\\.([A-Za-z0-9_-]+)|\\[(\\d+)]|\\[\\*]|\\[\\?\\(@\\.([A-Za-z0-9_.-]+)\\s*==\\s*[\"']([^\"']*)[\"']\\)]");

  private JsonPathColumn() {}

  /** The values at the path, or an empty list (the cell stays empty). */
  static List<JsonNode> evaluate(String path, JsonNode object) {
    String expression = path.startsWith("{") && path.endsWith("}") ? path.substring(1, path.length() - 1) : path;
    List<JsonNode> current = new ArrayList<>(List.of(object));
    Matcher step = STEP.matcher(expression);
    int position = 0;
    while (position < expression.length()) {
      if (!step.find(position) || step.start() != position) {
        return List.of();
      }
      List<JsonNode> next = new ArrayList<>();
      for (JsonNode node : current) {
        if (step.group(1) != null) {
          add(next, node.get(step.group(1)));
        } else if (step.group(2) != null) {
          add(next, node.isArray() ? node.get(Integer.parseInt(step.group(2))) : null);
        } else if (step.group(3) != null) {
          for (JsonNode element : node) {
            if (element.at("/" + step.group(3).replace('.', '/')).asText("").equals(step.group(4))) {
              next.add(element);
            }
          }
        } else {
          node.forEach(next::add);
        }
      }
      current = next;
      position = step.end();
    }
    return current;
  }

  private static void add(List<JsonNode> nodes, JsonNode node) {
    if (node != null && !node.isNull() && !node.isMissingNode()) {
      nodes.add(node);
    }
  }
}
