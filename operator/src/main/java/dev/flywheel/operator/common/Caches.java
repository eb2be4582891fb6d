package dev.flywheel.operator.common;

import dev.flywheel.crds.site.Site;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.event.source.IndexerResourceCache;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import java.util.List;
import java.util.Optional;

/** Reads from the informer caches of a reconciler's event sources instead of the API. */
public final class Caches {
  private Caches() {}

  /** Every Site, from the reconciler's Site informer. */
  public static <P extends HasMetadata> List<Site> sites(Context<P> context) {
    return cache(context, Site.class).list().toList();
  }

  /** One Site by name, from the reconciler's Site informer. */
  public static <P extends HasMetadata> Optional<Site> site(Context<P> context, String name) {
    return name == null ? Optional.empty() : cache(context, Site.class).get(new ResourceID(name));
  }

  /** The informer cache of the reconciler's one event source for this type. */
  @SuppressWarnings("unchecked")
  public static <P extends HasMetadata, R extends HasMetadata> IndexerResourceCache<R> cache(Context<P> context, Class<R> type) {
    return (IndexerResourceCache<R>) context.eventSourceRetriever().getEventSourceFor(type);
  }
}
