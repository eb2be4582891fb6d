package dev.flywheel.operator.serving;

import dev.flywheel.crds.modeldeployment.ModelDeployment;
import dev.flywheel.crds.modelversion.ModelVersion;
import dev.flywheel.crds.site.Site;
import dev.flywheel.crds.trainingjob.TrainingJob;
import dev.flywheel.operator.retraining.ComparisonJobBuilder;
import dev.flywheel.operator.retraining.RetrainJobBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import dev.flywheel.operator.common.Labels;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.Mappers;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The informers a ModelDeployment reconciles from: its ModelVersions (a promotion or a validation wakes the
 * deployments of that model), Sites, its retraining TrainingJobs, and its own Deployments, Services and
 * PodDisruptionBudgets (a drifted child is put back). Everything the reconciler reads comes from these caches.
 */
final class ServingEventSources {
  private ServingEventSources() {}

  static List<EventSource<?, ModelDeployment>> of(EventSourceContext<ModelDeployment> context) {
    InformerEventSource<ModelVersion, ModelDeployment> versions = new InformerEventSource<>(
        InformerEventSourceConfiguration.from(ModelVersion.class, ModelDeployment.class)
            .withSecondaryToPrimaryMapper(mv -> context.getPrimaryCache()
                .list(mdep -> mdep.getMetadata().getNamespace().equals(mv.getMetadata().getNamespace())
                    && mv.getSpec() != null && mdep.getSpec().getModel().equals(mv.getSpec().getModel()))
                .map(ResourceID::fromResource)
                .collect(Collectors.toSet()))
            .build(), context);
    InformerEventSource<Site, ModelDeployment> sites = new InformerEventSource<>(
        InformerEventSourceConfiguration.from(Site.class, ModelDeployment.class)
            .withSecondaryToPrimaryMapper(site -> context.getPrimaryCache().list().map(ResourceID::fromResource).collect(Collectors.toSet()))
            .build(), context);
    InformerEventSource<TrainingJob, ModelDeployment> retrains = new InformerEventSource<>(
        InformerEventSourceConfiguration.from(TrainingJob.class, ModelDeployment.class)
            .withLabelSelector(Labels.COMPONENT + "=" + RetrainJobBuilder.COMPONENT + "," + Labels.MANAGED_BY + "=" + Labels.OPERATOR)
            .withSecondaryToPrimaryMapper(Mappers.fromOwnerReferences(ModelDeployment.class, false))
            .build(), context);
    InformerEventSource<Job, ModelDeployment> comparisons = new InformerEventSource<>(
        InformerEventSourceConfiguration.from(Job.class, ModelDeployment.class)
            .withLabelSelector(Labels.COMPONENT + "=" + ComparisonJobBuilder.COMPONENT + "," + Labels.MANAGED_BY + "=" + Labels.OPERATOR)
            .withSecondaryToPrimaryMapper(job -> job.getMetadata().getLabels() == null
                || job.getMetadata().getLabels().get(ComparisonJobBuilder.FOR_DEPLOYMENT) == null ? Set.of()
                : Set.of(new ResourceID(job.getMetadata().getLabels().get(ComparisonJobBuilder.FOR_DEPLOYMENT), job.getMetadata().getNamespace())))
            .build(), context);
    return List.of(versions, sites, retrains, comparisons, owned(context, Deployment.class), owned(context, Service.class),
        owned(context, PodDisruptionBudget.class));
  }

  private static <R extends HasMetadata> InformerEventSource<R, ModelDeployment> owned(EventSourceContext<ModelDeployment> context, Class<R> type) {
    return new InformerEventSource<>(InformerEventSourceConfiguration.from(type, ModelDeployment.class)
        .withLabelSelector(Labels.COMPONENT + "=" + Labels.SERVING + "," + Labels.MANAGED_BY + "=" + Labels.OPERATOR)
        .withSecondaryToPrimaryMapper(Mappers.fromOwnerReferences(ModelDeployment.class, false))
        .build(), context);
  }
}
