package dev.flywheel.crds.validation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Does the API server's validation job where there is no API server: defaults a manifest from its CRD's
 * openAPIV3Schema, checks it against that schema and evaluates the CRD's CEL rules (with oldSelf on updates).
 * Reusable by any module's tests: point it at the CRD YAML that users install.
 */
public final class ManifestValidator {
  static final YAMLMapper YAML = new YAMLMapper();
  private static final String DNS_SUBDOMAIN = "^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$";

  private final Map<String, Crd> crdsByApiVersionAndKind;
  private final CelRules celRules = new CelRules();

  private record Crd(String name, boolean namespaced, JsonNode schema) {}

  /** The result of a validation: the manifest as stored (defaults applied) and every refusal. */
  public record Result(JsonNode defaulted, List<FieldError> errors) {
    public boolean valid() {
      return errors.isEmpty();
    }
  }

  private ManifestValidator(Map<String, Crd> crds) {
    this.crdsByApiVersionAndKind = crds;
  }

  /** Loads every CustomResourceDefinition in the YAML files of a directory (for example helm/flywheel/crds). */
  public static ManifestValidator fromDirectory(Path directory) {
    Map<String, Crd> crds = new HashMap<>();
    try (Stream<Path> files = Files.list(directory)) {
      for (Path file : files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList()) {
        for (JsonNode document : readAll(file)) {
          if (!"CustomResourceDefinition".equals(document.path("kind").asText())) {
            continue;
          }
          JsonNode spec = document.get("spec");
          for (JsonNode version : spec.get("versions")) {
            String apiVersion = spec.get("group").asText() + "/" + version.get("name").asText();
            crds.put(apiVersion + "|" + spec.at("/names/kind").asText(), new Crd(
                document.at("/metadata/name").asText(),
                "Namespaced".equals(spec.get("scope").asText()),
                withImplicitRootFields(version.at("/schema/openAPIV3Schema"))));
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    if (crds.isEmpty()) {
      throw new IllegalArgumentException("no CustomResourceDefinition found in " + directory);
    }
    return new ManifestValidator(crds);
  }

  /** Whether a CRD for this manifest's apiVersion and kind was loaded. */
  public boolean knows(JsonNode manifest) {
    return crdsByApiVersionAndKind.containsKey(key(manifest));
  }

  /** Validates a manifest being created. */
  public Result validateCreate(JsonNode manifest) {
    return validate(manifest, null);
  }

  /** Validates an update of a stored object; transition rules (oldSelf) take part. */
  public Result validateUpdate(JsonNode stored, JsonNode manifest) {
    Crd crd = crdOf(stored);
    ObjectNode old = stored.deepCopy();
    StructuralSchema.applyDefaults(crd.schema(), old);
    return validate(manifest, old);
  }

  private Result validate(JsonNode manifest, JsonNode old) {
    Crd crd = crdOf(manifest);
    ObjectNode object = manifest.deepCopy();
    object.remove("status");
    List<FieldError> errors = new ArrayList<>();
    checkMetadata(object.path("metadata"), crd, errors);
    StructuralSchema.applyDefaults(crd.schema(), object);
    StructuralSchema.validate(crd.schema(), object, "", errors);
    if (errors.isEmpty()) {
      celRules.validate(crd.schema(), celView(object), old == null ? null : celView(old), "", errors);
    }
    return new Result(object, errors);
  }

  /**
   * Validates the status a controller writes through the status subresource: the manifest's status against the
   * CRD's status schema and the CEL rules under it. (On create the API server drops status, as validateCreate does.)
   * The result's defaulted value is the status with its defaults; a manifest without status is valid.
   */
  public Result validateStatus(JsonNode manifest) {
    Crd crd = crdOf(manifest);
    List<FieldError> errors = new ArrayList<>();
    if (!manifest.has("status")) {
      return new Result(manifest.path("status"), errors);
    }
    JsonNode schema = crd.schema().path("properties").path("status");
    JsonNode status = manifest.get("status").deepCopy();
    if (schema.isMissingNode()) {
      errors.add(new FieldError("status", "field not declared in schema"));
      return new Result(status, errors);
    }
    StructuralSchema.applyDefaults(schema, status);
    StructuralSchema.validate(schema, status, "status", errors);
    if (errors.isEmpty()) {
      celRules.validate(schema, status, null, "status", errors);
    }
    return new Result(status, errors);
  }

  /** The API server declares apiVersion, kind and metadata on every custom resource; metadata is checked apart. */
  private static JsonNode withImplicitRootFields(JsonNode schema) {
    ObjectNode root = schema.deepCopy();
    ObjectNode properties = root.with("properties");
    properties.putObject("apiVersion").put("type", "string");
    properties.putObject("kind").put("type", "string");
    properties.putObject("metadata").put("type", "object").put("x-kubernetes-preserve-unknown-fields", true);
    return root;
  }

  /** Kubernetes shows CEL rules only metadata.name and metadata.generateName. */
  private static JsonNode celView(JsonNode object) {
    ObjectNode view = object.deepCopy();
    ObjectNode metadata = view.putObject("metadata");
    for (String field : List.of("name", "generateName")) {
      if (object.path("metadata").has(field)) {
        metadata.set(field, object.path("metadata").get(field));
      }
    }
    return view;
  }

  private static void checkMetadata(JsonNode metadata, Crd crd, List<FieldError> errors) {
    String name = metadata.path("name").asText("");
    if (name.isEmpty() && !metadata.has("generateName")) {
      errors.add(new FieldError("metadata.name", "Required value: name or generateName is required"));
    } else if (!name.isEmpty() && (name.length() > 253 || !name.matches(DNS_SUBDOMAIN))) {
      errors.add(new FieldError("metadata.name", "Invalid value: \"" + name
          + "\": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.'"));
    }
    if (!crd.namespaced() && metadata.has("namespace")) {
      errors.add(new FieldError("metadata.namespace", "Forbidden: not allowed on this type (" + crd.name() + " is cluster-scoped)"));
    }
  }

  private Crd crdOf(JsonNode manifest) {
    Crd crd = crdsByApiVersionAndKind.get(key(manifest));
    if (crd == null) {
      throw new IllegalArgumentException("no CustomResourceDefinition for " + key(manifest).replace('|', ' '));
    }
    return crd;
  }

  private static String key(JsonNode manifest) {
    return manifest.path("apiVersion").asText() + "|" + manifest.path("kind").asText();
  }

  /** Reads every non-empty YAML document of a file. */
  public static List<JsonNode> readAll(Path file) {
    try (var parser = YAML.getFactory().createParser(file.toFile())) {
      List<JsonNode> documents = new ArrayList<>();
      YAML.readValues(parser, JsonNode.class).forEachRemaining(document -> {
        if (document != null && !document.isNull() && !document.isMissingNode()) {
          documents.add(document);
        }
      });
      return documents;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
