package dev.flywheel.operator.trainingjob;

import dev.flywheel.crds.site.Site;
import dev.flywheel.crds.site.SiteType;
import dev.flywheel.crds.trainingjob.TrainingJob;
import dev.flywheel.operator.site.RemoteClusters;
import io.fabric8.kubernetes.client.KubernetesClient;

/**
 * Where a TrainingJob's trainer Job lives: this cluster, in the TrainingJob's namespace (owned, so it is garbage
 * collected with it), or a remote cluster, in the Site's namespace there (referenced Secrets and claims must exist
 * there; nothing is copied). Close it to release a remote client.
 */
record TrainingTarget(KubernetesClient client, String namespace, boolean remote) implements AutoCloseable {
  static final String DEFAULT_REMOTE_NAMESPACE = "default";

  static TrainingTarget of(KubernetesClient local, Site site, TrainingJob trainingJob) throws RemoteClusters.Unreachable {
    if (site == null || site.getSpec().getType() != SiteType.remoteCluster) {
      return new TrainingTarget(local, trainingJob.getMetadata().getNamespace(), false);
    }
    String namespace = site.getSpec().getNamespace() != null ? site.getSpec().getNamespace() : DEFAULT_REMOTE_NAMESPACE;
    return new TrainingTarget(RemoteClusters.connect(local, site.getSpec().getKubeconfigSecretRef()), namespace, true);
  }

  @Override
  public void close() {
    if (remote) {
      client.close();
    }
  }
}
