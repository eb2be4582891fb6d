package dev.flywheel.operator.common;

import dev.flywheel.crds.site.Site;
import dev.flywheel.crds.site.SiteType;
import dev.flywheel.operator.site.RemoteClusters;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;

/**
 * Where a flywheel-model Job for a resource lives: this cluster, in the resource's namespace (owned, so it is garbage
 * collected with it), or a remote cluster, in the Site's namespace there (referenced Secrets and claims must exist
 * there; nothing is copied). Close it to release a remote client.
 */
public record SiteTarget(KubernetesClient client, String namespace, boolean remote) implements AutoCloseable {
  static final String DEFAULT_REMOTE_NAMESPACE = "default";

  /** The target for work of this resource at this Site; a missing Site means this cluster. */
  public static SiteTarget of(KubernetesClient local, Site site, HasMetadata resource) throws RemoteClusters.Unreachable {
    if (site == null || site.getSpec().getType() != SiteType.remoteCluster) {
      return new SiteTarget(local, resource.getMetadata().getNamespace(), false);
    }
    String namespace = site.getSpec().getNamespace() != null ? site.getSpec().getNamespace() : DEFAULT_REMOTE_NAMESPACE;
    return new SiteTarget(RemoteClusters.connect(local, site.getSpec().getKubeconfigSecretRef()), namespace, true);
  }

  @Override
  public void close() {
    if (remote) {
      client.close();
    }
  }
}
