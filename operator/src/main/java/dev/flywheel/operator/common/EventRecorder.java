package dev.flywheel.operator.common;

import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.UUID;
import org.jboss.logging.Logger;

/** Records Kubernetes Events on Flywheel resources (kubectl describe shows them); never fails a reconciliation. */
public final class EventRecorder {
  private static final Logger LOG = Logger.getLogger(EventRecorder.class);

  private EventRecorder() {}

  public static void normal(KubernetesClient client, HasMetadata about, String reason, String message) {
    record(client, about, "Normal", reason, message);
  }

  public static void warning(KubernetesClient client, HasMetadata about, String reason, String message) {
    record(client, about, "Warning", reason, message);
  }

  private static void record(KubernetesClient client, HasMetadata about, String type, String reason, String message) {
    String now = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
    String namespace = about.getMetadata().getNamespace() != null ? about.getMetadata().getNamespace() : "default";
    try {
      client.v1().events().inNamespace(namespace).resource(new EventBuilder()
          .withNewMetadata().withName(about.getMetadata().getName() + "." + UUID.randomUUID().toString().substring(0, 8)).withNamespace(namespace).endMetadata()
          .withInvolvedObject(new ObjectReferenceBuilder().withApiVersion(about.getApiVersion()).withKind(about.getKind())
              .withName(about.getMetadata().getName()).withNamespace(about.getMetadata().getNamespace())
              .withUid(about.getMetadata().getUid()).build())
          .withType(type).withReason(reason).withMessage(message)
          .withFirstTimestamp(now).withLastTimestamp(now).withCount(1)
          .withNewSource().withComponent(Labels.OPERATOR).endSource()
          .build()).create();
    } catch (KubernetesClientException e) {
      LOG.debugf("could not record event %s on %s: %s", reason, about.getMetadata().getName(), e.getMessage());
    }
  }
}
