package dev.flywheel.crds.modelversion;

import com.fasterxml.jackson.annotation.JsonClassDescription;
import dev.flywheel.crds.Flywheel;
import dev.flywheel.crds.docs.FieldDescriptions;
import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.crdv2.generator.v1.SchemaCustomizer;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Categories;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Version;

/** One immutable trained or imported model: a registry entry with its artifact, lineage, metrics and stage. */
@JsonClassDescription("One immutable trained or imported model: a registry entry with its artifact, lineage, metrics and stage.")
@SchemaCustomizer(value = FieldDescriptions.class, input = "dev.flywheel.crds.modelversion.ModelVersion")
@Group(Flywheel.GROUP)
@Version(Flywheel.VERSION)
@ShortNames("mv")
@Categories(Flywheel.CATEGORY)
@AdditionalPrinterColumn(name = "Model", jsonPath = ".spec.model", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Version", jsonPath = ".spec.version", type = AdditionalPrinterColumn.Type.INTEGER)
@AdditionalPrinterColumn(name = "Stage", jsonPath = ".status.stage", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Desired", jsonPath = ".spec.stage", type = AdditionalPrinterColumn.Type.STRING, priority = 1)
@AdditionalPrinterColumn(name = "Validated", jsonPath = ".status.conditions[?(@.type==\"Validated\")].status", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Ready", jsonPath = ".status.conditions[?(@.type==\"Ready\")].status", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Format", jsonPath = ".spec.artifact.format", type = AdditionalPrinterColumn.Type.STRING, priority = 1)
@AdditionalPrinterColumn(name = "Age", jsonPath = ".metadata.creationTimestamp", type = AdditionalPrinterColumn.Type.DATE)
public class ModelVersion extends CustomResource<ModelVersionSpec, ModelVersionStatus> implements Namespaced {}
