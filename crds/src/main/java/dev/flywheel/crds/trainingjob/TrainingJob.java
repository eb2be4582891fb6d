package dev.flywheel.crds.trainingjob;

import com.fasterxml.jackson.annotation.JsonClassDescription;
import dev.flywheel.crds.Flywheel;
import dev.flywheel.crds.docs.FieldDescriptions;
import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.crdv2.generator.v1.SchemaCustomizer;
import io.fabric8.generator.annotation.ValidationRule;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Categories;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Version;

/** Train one model on one dataset; the operator runs it as a batch Job on an eligible Site. */
@JsonClassDescription("Trains one model on one dataset: the operator runs it as a batch Job on an eligible Site and registers the result as a ModelVersion.")
@SchemaCustomizer(value = FieldDescriptions.class, input = "dev.flywheel.crds.trainingjob.TrainingJob")
@Group(Flywheel.GROUP)
@Version(Flywheel.VERSION)
@ShortNames("tj")
@Categories(Flywheel.CATEGORY)
@ValidationRule(
    value = "self.metadata.name.size() <= 52",
    message = "metadata.name must be at most 52 characters (it names the training Job and its pods)",
    fieldPath = ".metadata.name")
@ValidationRule(
    value = "self.spec == oldSelf.spec",
    message = "a TrainingJob's spec is immutable: create a new TrainingJob to train again",
    fieldPath = ".spec")
@AdditionalPrinterColumn(name = "Model", jsonPath = ".spec.model", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Phase", jsonPath = ".status.phase", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Ready", jsonPath = ".status.conditions[?(@.type==\"Ready\")].status", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Site", jsonPath = ".status.site", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Version", jsonPath = ".status.modelVersion", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Age", jsonPath = ".metadata.creationTimestamp", type = AdditionalPrinterColumn.Type.DATE)
public class TrainingJob extends CustomResource<TrainingJobSpec, TrainingJobStatus> implements Namespaced {}
