package dev.flywheel.operator.common;

import dev.flywheel.crds.site.Site;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import java.util.List;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/** The event sources of a reconciler that runs flywheel-model Jobs on Sites: its own Jobs, and Sites that may unblock it. */
public final class RuntimeEventSources {
  private RuntimeEventSources() {}

  /**
   * @param component the Jobs' app.kubernetes.io/component label (training, validation)
   * @param waitingForASite primaries that a change of any Site should wake
   */
  public static <P extends HasMetadata> List<EventSource<?, P>> of(EventSourceContext<P> context, Class<P> primary, String component,
      Predicate<P> waitingForASite) {
    InformerEventSource<Job, P> jobs = new InformerEventSource<>(
        InformerEventSourceConfiguration.from(Job.class, primary)
            .withLabelSelector(Labels.COMPONENT + "=" + component + "," + Labels.MANAGED_BY + "=" + Labels.OPERATOR)
            .build(), context);
    InformerEventSource<Site, P> sites = new InformerEventSource<>(
        InformerEventSourceConfiguration.from(Site.class, primary)
            .withSecondaryToPrimaryMapper(site -> context.getPrimaryCache()
                .list(waitingForASite)
                .map(ResourceID::fromResource)
                .collect(Collectors.toSet()))
            .build(), context);
    return List.of(jobs, sites);
  }
}
