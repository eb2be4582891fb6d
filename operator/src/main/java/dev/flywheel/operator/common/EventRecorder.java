package dev.flywheel.operator.common;

import dev.flywheel.operator.OperatorSettings;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.util.HexFormat;
import org.jboss.logging.Logger;

/**
 * Records Kubernetes Events on Flywheel resources (kubectl describe shows them). An Event is named after what it
 * says — the object and the reason — so a repeat raises its count instead of piling up objects; events about
 * cluster-scoped Sites go to the operator's namespace. Never fails a reconciliation.
 */
@ApplicationScoped
public class EventRecorder {
  private static final Logger LOG = Logger.getLogger(EventRecorder.class);

  @Inject
  Clock clock;

  @Inject
  OperatorSettings settings;

  public void normal(KubernetesClient client, HasMetadata about, String reason, String message) {
    record(client, about, "Normal", reason, message);
  }

  public void warning(KubernetesClient client, HasMetadata about, String reason, String message) {
    record(client, about, "Warning", reason, message);
  }

  /** The Event's name: the object's name and a digest of kind, namespace, name, uid and reason. */
  static String name(HasMetadata about, String reason) {
    String identity = about.getKind() + "/" + about.getMetadata().getNamespace() + "/" + about.getMetadata().getName() + "/"
        + about.getMetadata().getUid() + "/" + reason;
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(identity.getBytes(StandardCharsets.UTF_8));
      String name = about.getMetadata().getName();
      return (name.length() > 200 ? name.substring(0, 200) : name) + "." + HexFormat.of().formatHex(digest, 0, 8);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private void record(KubernetesClient client, HasMetadata about, String type, String reason, String message) {
    String now = Timestamps.now(clock);
    String namespace = about.getMetadata().getNamespace() != null ? about.getMetadata().getNamespace() : settings.namespace();
    String name = name(about, reason);
    try {
      // Most Events are new: create first (one request); only a repeat, refused as existing, is read and counted up.
      client.v1().events().inNamespace(namespace).resource(new EventBuilder()
          .withNewMetadata().withName(name).withNamespace(namespace).endMetadata()
          .withInvolvedObject(new ObjectReferenceBuilder().withApiVersion(about.getApiVersion()).withKind(about.getKind())
              .withName(about.getMetadata().getName()).withNamespace(about.getMetadata().getNamespace())
              .withUid(about.getMetadata().getUid()).build())
          .withType(type).withReason(reason).withMessage(message)
          .withFirstTimestamp(now).withLastTimestamp(now).withCount(1)
          .withNewSource().withComponent(Labels.OPERATOR).endSource()
          .build()).create();
    } catch (KubernetesClientException created) {
      if (created.getCode() != 409) {
        LOG.debugf("could not record event %s on %s: %s", reason, about.getMetadata().getName(), created.getMessage());
        return;
      }
      countRepeat(client, namespace, name, type, message, now);
    }
  }

  private void countRepeat(KubernetesClient client, String namespace, String name, String type, String message, String now) {
    try {
      Event existing = client.v1().events().inNamespace(namespace).withName(name).get();
      if (existing == null) {
        return; // expired between the two requests: this occurrence goes unrecorded, as Events may
      }
      existing.setCount(existing.getCount() == null ? 2 : existing.getCount() + 1);
      existing.setLastTimestamp(now);
      existing.setMessage(message);
      existing.setType(type);
      client.v1().events().inNamespace(namespace).resource(existing).update();
    } catch (KubernetesClientException e) {
      LOG.debugf("could not count a repeat of event %s: %s", name, e.getMessage());
    }
  }
}
