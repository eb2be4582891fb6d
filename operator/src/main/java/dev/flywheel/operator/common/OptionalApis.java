package dev.flywheel.operator.common;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** Whether the cluster serves an optional CRD (the Prometheus Operator's PodMonitor), asked at most every few minutes. */
@ApplicationScoped
public class OptionalApis {
  static final Duration TTL = Duration.ofMinutes(5);

  private record Answer(boolean installed, Instant askedAt) {}

  private final Map<String, Answer> answers = new ConcurrentHashMap<>();

  @Inject
  Clock clock;

  /** @param crd the CRD's name, for example podmonitors.monitoring.coreos.com */
  public boolean installed(KubernetesClient client, String crd) {
    Instant now = clock.instant();
    Answer answer = answers.get(crd);
    if (answer == null || now.isAfter(answer.askedAt().plus(TTL))) {
      boolean installed;
      try {
        installed = client.apiextensions().v1().customResourceDefinitions().withName(crd).get() != null;
      } catch (KubernetesClientException e) {
        // A failed look is no answer: keep the last one (flipping would restart every model server), or assume absent.
        installed = answer != null && answer.installed();
      }
      answer = new Answer(installed, now);
      answers.put(crd, answer);
    }
    return answer.installed();
  }
}
