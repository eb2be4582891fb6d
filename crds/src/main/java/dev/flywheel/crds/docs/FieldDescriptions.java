package dev.flywheel.crds.docs;

import com.fasterxml.jackson.annotation.JsonClassDescription;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.introspect.BeanPropertyDefinition;
import io.fabric8.crdv2.generator.v1.SchemaCustomizer;
import io.fabric8.kubernetes.api.model.apiextensions.v1.JSONSchemaProps;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.util.HashMap;
import java.util.Map;

/**
 * Fills the descriptions the fabric8 CRD generator leaves empty, so that kubectl explain teaches every field: the
 * kind's own and those of spec and status (from {@link JsonClassDescription} on the kind and on its spec and status
 * types), and the fields of embedded Kubernetes types, at every depth (from {@link KubernetesFieldDescriptions}).
 * Descriptions written with {@code @JsonPropertyDescription} are kept; nothing but descriptions changes.
 * Each kind declares it as {@code @SchemaCustomizer(value = FieldDescriptions.class, input = "<the kind's class name>")}.
 */
public class FieldDescriptions implements SchemaCustomizer.Customizer {
  /** Finds bean properties under the names the generator gives them (Jackson's defaults and annotations). */
  private static final ObjectMapper JACKSON = new ObjectMapper();

  @Override
  public JSONSchemaProps apply(JSONSchemaProps kindSchema, String kindClassName, KubernetesSerialization serialization) {
    Class<?> kind = load(kindClassName);
    if (isBlank(kindSchema.getDescription())) {
      kindSchema.setDescription(classDescription(kind));
    }
    describeProperties(kindSchema, JACKSON.constructType(kind), kind.getSimpleName());
    return kindSchema;
  }

  private static void describeProperties(JSONSchemaProps schema, JavaType type, String path) {
    if (schema == null || schema.getProperties() == null) {
      return;
    }
    Map<String, JavaType> propertyTypes = new HashMap<>();
    for (BeanPropertyDefinition property : JACKSON.getSerializationConfig().introspect(type).findProperties()) {
      propertyTypes.put(property.getName(), property.getPrimaryType());
    }
    schema.getProperties().forEach((name, propertySchema) -> {
      JavaType propertyType = propertyTypes.get(name);
      if (propertyType == null) {
        throw new IllegalStateException(path + "." + name + ": no such property in " + type.getRawClass().getName());
      }
      String propertyPath = path + "." + name;
      if (isBlank(propertySchema.getDescription())) {
        propertySchema.setDescription(describe(type.getRawClass(), name, propertyType, propertyPath));
      }
      describeValue(propertySchema, propertyType, propertyPath);
    });
  }

  /** Descends into an object's properties, a list's items or a map's values, following the Java type alongside. */
  private static void describeValue(JSONSchemaProps schema, JavaType type, String path) {
    if (type.isCollectionLikeType() || type.isArrayType()) {
      if (schema.getItems() != null) {
        describeValue(schema.getItems().getSchema(), type.getContentType(), path + "[]");
      }
    } else if (type.isMapLikeType()) {
      if (schema.getAdditionalProperties() != null) {
        describeValue(schema.getAdditionalProperties().getSchema(), type.getContentType(), path + "{}");
      }
    } else {
      describeProperties(schema, type, path);
    }
  }

  private static String describe(Class<?> owner, String name, JavaType propertyType, String path) {
    if (KubernetesFieldDescriptions.isKubernetesType(owner)) {
      return KubernetesFieldDescriptions.of(owner, name).orElseThrow(() -> new IllegalStateException(
          path + " has no description: describe the field '" + name + "' of the Kubernetes type "
              + owner.getName() + " in " + KubernetesFieldDescriptions.class.getName()));
    }
    return classDescription(propertyType.getRawClass());
  }

  private static String classDescription(Class<?> type) {
    JsonClassDescription description = type.getAnnotation(JsonClassDescription.class);
    return description == null ? null : description.value();
  }

  private static Class<?> load(String className) {
    try {
      return Class.forName(className, false, FieldDescriptions.class.getClassLoader());
    } catch (ClassNotFoundException e) {
      throw new IllegalArgumentException("@SchemaCustomizer input must name the kind's class: " + className, e);
    }
  }

  private static boolean isBlank(String text) {
    return text == null || text.isBlank();
  }
}
