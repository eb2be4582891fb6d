package dev.flywheel.operator.metrics;

import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Fills the placeholders of an analysis or trigger query: {@code {{model}}}, {@code {{version}}}, {@code
 * {{namespace}}}, {@code {{deployment}}} and any other key given ({@code {{ key }}} with spaces also works). Values are
 * escaped for use inside a PromQL double-quoted string ({@code version="{{version}}"}). One pass: a value that
 * contains {@code {{…}}} is not filled again.
 */
public final class QueryTemplate {
  public static final String MODEL = "model";
  public static final String VERSION = "version";
  public static final String NAMESPACE = "namespace";
  public static final String DEPLOYMENT = "deployment";

  private static final Pattern PLACEHOLDER = Pattern.compile("\\{\\{\\s*([A-Za-z0-9_.-]*)\\s*}}");

  private QueryTemplate() {}

  /** The placeholders of a ModelDeployment's queries, with {{version}} the ModelVersion they are scoped to. */
  public static Map<String, String> placeholders(dev.flywheel.crds.modeldeployment.ModelDeployment deployment, String version) {
    return Map.of(MODEL, deployment.getSpec().getModel(), VERSION, version, NAMESPACE, deployment.getMetadata().getNamespace(),
        DEPLOYMENT, deployment.getMetadata().getName());
  }

  /**
   * The query with every placeholder replaced by its escaped value; an IllegalArgumentException names the placeholders
   * that have no value.
   */
  public static String fill(String template, Map<String, String> values) {
    Objects.requireNonNull(template, "template");
    Objects.requireNonNull(values, "values");
    TreeSet<String> unknown = new TreeSet<>();
    Matcher matcher = PLACEHOLDER.matcher(template);
    StringBuilder filled = new StringBuilder(template.length() + 32);
    while (matcher.find()) {
      String value = values.get(matcher.group(1));
      if (value == null) {
        unknown.add("{{" + matcher.group(1) + "}}");
        continue;
      }
      matcher.appendReplacement(filled, Matcher.quoteReplacement(escape(value)));
    }
    if (!unknown.isEmpty()) {
      throw new IllegalArgumentException("the query has placeholders without a value: " + String.join(", ", unknown)
          + " (known: " + String.join(", ", new TreeSet<>(values.keySet())) + ")");
    }
    matcher.appendTail(filled);
    return filled.toString();
  }

  /** Escapes a value for a PromQL double-quoted string: backslash, double quote, and line breaks. */
  static String escape(String value) {
    StringBuilder escaped = new StringBuilder(value.length() + 8);
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      switch (c) {
        case '\\' -> escaped.append("\\\\");
        case '"' -> escaped.append("\\\"");
        case '\n' -> escaped.append("\\n");
        case '\r' -> escaped.append("\\r");
        default -> escaped.append(c);
      }
    }
    return escaped.toString();
  }
}
