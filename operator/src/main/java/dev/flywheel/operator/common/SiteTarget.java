package dev.flywheel.operator.common;

import dev.flywheel.crds.site.Site;
import dev.flywheel.crds.site.SiteType;
import dev.flywheel.operator.site.RemoteClusters;
import io.fabric8.kubernetes.api.model.DeletionPropagation;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.DeleteControl;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

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

  /** The Job of this name at the target: from the informer cache on this cluster, from the remote API otherwise. */
  public <P extends HasMetadata> Optional<Job> findJob(Context<P> context, String name) {
    Optional<Job> cached = remote ? Optional.empty() : context.getSecondaryResource(Job.class).filter(j -> name.equals(j.getMetadata().getName()));
    return cached.or(() -> Optional.ofNullable(client.batch().v1().jobs().inNamespace(namespace).withName(name).get()));
  }

  /** Creates the Job at the target unless it is there already (a replayed event creates nothing twice). */
  public void createJob(Job job) {
    job.getMetadata().setNamespace(namespace);
    if (client.batch().v1().jobs().inNamespace(namespace).withName(job.getMetadata().getName()).get() == null) {
      client.batch().v1().jobs().inNamespace(namespace).resource(job).create();
    }
  }

  /**
   * Deletes a resource's Job at the Site it was recorded on, for a Cleaner: the resource may go once the Job is
   * gone, or must wait (with a warning Event) while a remote Site cannot be reached.
   *
   * @param site the recorded Site as the informer cache has it; empty when it no longer exists
   */
  public static <P extends HasMetadata> DeleteControl deleteJob(KubernetesClient local, EventRecorder events, P resource, String siteName,
      Optional<Site> site, String jobName, Duration retry) {
    if (siteName == null) {
      return DeleteControl.defaultDelete();
    }
    if (site.isEmpty()) {
      events.warning(local, resource, "SiteGone", "Site " + siteName + " no longer exists; a Job there cannot be deleted by Flywheel");
    }
    try (SiteTarget target = of(local, site.orElse(null), resource)) {
      target.client().batch().v1().jobs().inNamespace(target.namespace()).withName(jobName)
          .withPropagationPolicy(DeletionPropagation.BACKGROUND).delete();
      return DeleteControl.defaultDelete();
    } catch (RemoteClusters.Unreachable e) {
      events.warning(local, resource, "CleanupWaiting", "cannot delete Job " + jobName + " on Site " + siteName + ": " + e.getMessage());
      return DeleteControl.noFinalizerRemoval().rescheduleAfter(retry);
    }
  }

  /** The Site recorded on a resource (annotation mlops.flywheel.dev/site), which survives a lost status write. */
  public static String recordedSite(HasMetadata resource) {
    Map<String, String> annotations = resource.getMetadata().getAnnotations();
    return annotations == null ? null : annotations.get(Labels.SITE);
  }

  /**
   * Records the chosen Site on the resource before any Job exists, so a lost status write never places it twice: one
   * merge patch of the annotation. The resource in hand then carries the stored resourceVersion and annotations, so
   * the status written at the end of the same pass does not conflict with this write (and the pass is not retried).
   * The patch carries the resourceVersion in hand: a pass working from a stale copy (one that does not see a Site
   * recorded meanwhile) is refused with 409 and runs again on the stored object, instead of placing it a second time.
   */
  public static <P extends HasMetadata> void recordSite(KubernetesClient local, Class<P> type, P resource, String siteName) {
    P recorded = local.resources(type).inNamespace(resource.getMetadata().getNamespace()).withName(resource.getMetadata().getName())
        .patch(PatchContext.of(PatchType.JSON_MERGE),
            Serialization.asJson(Map.of("metadata", Map.of("resourceVersion", resource.getMetadata().getResourceVersion(),
                "annotations", Map.of(Labels.SITE, siteName)))));
    resource.getMetadata().setAnnotations(recorded.getMetadata().getAnnotations());
    resource.getMetadata().setResourceVersion(recorded.getMetadata().getResourceVersion());
  }

  @Override
  public void close() {
    if (remote) {
      client.close();
    }
  }
}
