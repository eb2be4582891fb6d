package dev.flywheel.sandbox.node;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.logging.Logger;

/** Creates and deletes the controllers' pods through the API, recording what the informer should show next ({@link PodIndex}). */
final class PodControl {
  private static final Logger LOG = Logger.getLogger(PodControl.class.getName());

  private final KubernetesClient client;
  private final PodIndex index;

  PodControl(KubernetesClient client, PodIndex index) {
    this.client = client;
    this.index = index;
  }

  void create(String ownerUid, Pod pod) {
    index.expectCreated(ownerUid, pod.getMetadata().getName());
    try {
      client.pods().inNamespace(pod.getMetadata().getNamespace()).resource(pod).create();
    } catch (KubernetesClientException failed) {
      index.creationFailed(ownerUid, pod.getMetadata().getName());
      LOG.warning("cannot create pod " + pod.getMetadata().getName() + ": " + failed.getMessage());
    }
  }

  void delete(Pod pod) {
    index.expectDeleted(pod);
    try {
      client.pods().inNamespace(pod.getMetadata().getNamespace()).withName(pod.getMetadata().getName()).delete();
    } catch (KubernetesClientException failed) {
      LOG.warning("cannot delete pod " + pod.getMetadata().getName() + ": " + failed.getMessage());
    }
  }
}
