package dev.flywheel.sandbox.api;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/** Label selectors (=, ==, !=, in, notin, key, !key) and field selectors (=, ==, != on any dotted field) of list and watch. */
public final class Selectors {
  private static final Pattern SET_BASED = Pattern.compile("\\s*([^\\s!=(]+)\\s+(in|notin)\\s*\\(([^)]*)\\)\\s*");
  private static final Pattern COMPARISON = Pattern.compile("\\s*([^\\s!=]+)\\s*(==|=|!=)\\s*([^\\s]*)\\s*");
  private static final Pattern EXISTS = Pattern.compile("\\s*(!?)([^\\s!=(),]+)\\s*");

  private Selectors() {}

  /** Objects matching both selectors (either may be null or empty). */
  public static Predicate<JsonNode> of(String labelSelector, String fieldSelector) {
    return labels(labelSelector).and(fields(fieldSelector));
  }

  static Predicate<JsonNode> labels(String selector) {
    Predicate<JsonNode> all = object -> true;
    for (String requirement : splitOutsideParentheses(selector)) {
      all = all.and(labelRequirement(requirement));
    }
    return all;
  }

  private static Predicate<JsonNode> labelRequirement(String requirement) {
    Matcher set = SET_BASED.matcher(requirement);
    if (set.matches()) {
      String key = set.group(1);
      Set<String> values = Arrays.stream(set.group(3).split(",")).map(String::trim).filter(v -> !v.isEmpty())
          .collect(Collectors.toSet());
      boolean in = set.group(2).equals("in");
      return object -> {
        JsonNode value = object.path("metadata").path("labels").get(key);
        return in ? value != null && values.contains(value.asText()) : value == null || !values.contains(value.asText());
      };
    }
    Matcher comparison = COMPARISON.matcher(requirement);
    if (comparison.matches()) {
      String key = comparison.group(1);
      String expected = comparison.group(3);
      boolean equal = !comparison.group(2).equals("!=");
      return object -> {
        JsonNode value = object.path("metadata").path("labels").get(key);
        boolean same = value != null && value.asText().equals(expected);
        return equal == same;
      };
    }
    Matcher exists = EXISTS.matcher(requirement);
    if (exists.matches()) {
      String key = exists.group(2);
      boolean wanted = exists.group(1).isEmpty();
      return object -> object.path("metadata").path("labels").has(key) == wanted;
    }
    throw ApiException.badRequest("unable to parse requirement: \"" + requirement + "\"");
  }

  static Predicate<JsonNode> fields(String selector) {
    Predicate<JsonNode> all = object -> true;
    for (String requirement : splitOutsideParentheses(selector)) {
      Matcher comparison = COMPARISON.matcher(requirement);
      if (!comparison.matches()) {
        throw ApiException.badRequest("invalid field selector: \"" + requirement + "\"");
      }
      String path = "/" + comparison.group(1).replace('.', '/');
      String expected = comparison.group(3);
      boolean equal = !comparison.group(2).equals("!=");
      all = all.and(object -> {
        JsonNode value = object.at(path);
        String text = value.isMissingNode() || value.isNull() ? "" : value.asText();
        return equal == text.equals(expected);
      });
    }
    return all;
  }

  private static List<String> splitOutsideParentheses(String selector) {
    List<String> parts = new ArrayList<>();
    if (selector == null || selector.isBlank()) {
      return parts;
    }
    int depth = 0;
    StringBuilder current = new StringBuilder();
    for (char c : selector.toCharArray()) {
      if (c == '(') {
        depth++;
      } else if (c == ')') {
        depth--;
      }
      if (c == ',' && depth == 0) {
        parts.add(current.toString());
        current.setLength(0);
      } else {
        current.append(c);
      }
    }
    parts.add(current.toString());
    return parts.stream().filter(part -> !part.isBlank()).toList();
  }
}
