package dev.flywheel.crds.site;

import com.fasterxml.jackson.annotation.JsonClassDescription;
import dev.flywheel.crds.Flywheel;
import dev.flywheel.crds.docs.FieldDescriptions;
import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.crdv2.generator.v1.SchemaCustomizer;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Categories;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Version;

/** A place where Flywheel may run work: a node pool of this cluster or a remote cluster (cluster-scoped). */
@JsonClassDescription("A place where Flywheel may run work: a node pool of this cluster or a remote cluster. Cluster-scoped.")
@SchemaCustomizer(value = FieldDescriptions.class, input = "dev.flywheel.crds.site.Site")
@Group(Flywheel.GROUP)
@Version(Flywheel.VERSION)
@Categories(Flywheel.CATEGORY)
@AdditionalPrinterColumn(name = "Type", jsonPath = ".spec.type", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Reachable", jsonPath = ".status.conditions[?(@.type==\"Reachable\")].status", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Ready", jsonPath = ".status.conditions[?(@.type==\"Ready\")].status", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Priority", jsonPath = ".spec.priority", type = AdditionalPrinterColumn.Type.INTEGER)
@AdditionalPrinterColumn(name = "Burst", jsonPath = ".spec.burst", type = AdditionalPrinterColumn.Type.BOOLEAN)
@AdditionalPrinterColumn(name = "Training", jsonPath = ".status.runningTrainingJobs", type = AdditionalPrinterColumn.Type.INTEGER)
@AdditionalPrinterColumn(name = "Classifications", jsonPath = ".spec.allowedClassifications", type = AdditionalPrinterColumn.Type.STRING, priority = 1)
@AdditionalPrinterColumn(name = "Age", jsonPath = ".metadata.creationTimestamp", type = AdditionalPrinterColumn.Type.DATE)
public class Site extends CustomResource<SiteSpec, SiteStatus> {}
