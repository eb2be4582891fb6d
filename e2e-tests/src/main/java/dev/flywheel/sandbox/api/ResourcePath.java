package dev.flywheel.sandbox.api;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * A resource URL taken apart: /api/v1[/namespaces/{ns}]/{plural}[/{name}[/{subresource}]] and the same under
 * /apis/{group}/{version}. Discovery paths (/api, /apis/{group}/{version}, ...) are not resource paths.
 */
public record ResourcePath(String group, String version, String namespace, String plural, String name, String subresource) {
  private static final Set<String> NAMESPACE_SUBRESOURCES = Set.of("status", "finalize");

  /** The resource path, or empty for anything else (discovery, /version, unknown). */
  public static Optional<ResourcePath> parse(String path) {
    List<String> parts = Arrays.stream(path.split("/")).filter(part -> !part.isEmpty()).toList();
    int start;
    String group;
    if (parts.size() >= 3 && parts.get(0).equals("api")) {
      group = "";
      start = 1;
    } else if (parts.size() >= 4 && parts.get(0).equals("apis")) {
      group = parts.get(1);
      start = 2;
    } else {
      return Optional.empty();
    }
    String version = parts.get(start);
    List<String> rest = parts.subList(start + 1, parts.size());
    String namespace = null;
    if (rest.size() >= 3 && rest.get(0).equals("namespaces") && !(rest.size() == 3 && NAMESPACE_SUBRESOURCES.contains(rest.get(2)))) {
      namespace = rest.get(1);
      rest = rest.subList(2, rest.size());
    }
    if (rest.isEmpty() || rest.size() > 3) {
      return Optional.empty();
    }
    return Optional.of(new ResourcePath(group, version, namespace, rest.get(0), rest.size() > 1 ? rest.get(1) : null,
        rest.size() > 2 ? rest.get(2) : null));
  }

  public boolean collection() {
    return name == null;
  }
}
