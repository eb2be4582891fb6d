package dev.flywheel.sandbox.story;

import dev.flywheel.crds.modeldeployment.ModelDeployment;
import dev.flywheel.crds.modelversion.ModelVersion;
import dev.flywheel.crds.trainingjob.TrainingJob;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.io.PrintStream;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * The sandbox's readable timeline: watches the Flywheel resources and the operator's Events in one namespace and
 * prints one line whenever an object's key status changes — time since the start, resource, what it says now.
 */
public final class Timeline implements AutoCloseable {
  private final PrintStream out;
  private final Clock clock;
  private final Instant start;
  private final Map<String, String> lastLine = new ConcurrentHashMap<>();
  private final List<SharedIndexInformer<?>> informers = new ArrayList<>();

  public Timeline(KubernetesClient client, String namespace, PrintStream out, Clock clock) {
    this.out = out;
    this.clock = clock;
    this.start = clock.instant();
    informers.add(client.resources(TrainingJob.class).inNamespace(namespace)
        .inform(handler("TrainingJob", StatusLines::of)));
    informers.add(client.resources(ModelVersion.class).inNamespace(namespace)
        .inform(handler("ModelVersion", StatusLines::of)));
    informers.add(client.resources(ModelDeployment.class).inNamespace(namespace)
        .inform(handler("ModelDeployment", StatusLines::of)));
    informers.add(client.v1().events().inNamespace(namespace).inform(handler("Event", Timeline::event)));
  }

  private static String event(Event event) {
    return event.getInvolvedObject().getKind() + "/" + event.getInvolvedObject().getName() + " " + event.getReason()
        + ": " + event.getMessage();
  }

  /** Prints a line of the story itself (what the sandbox does, not what it observed). */
  public void say(String what) {
    print("sandbox", what);
  }

  /** Seconds since the story started. */
  public long elapsedSeconds() {
    return Duration.between(start, clock.instant()).toSeconds();
  }

  private <T extends HasMetadata> ResourceEventHandler<T> handler(String kind, Function<T, String> line) {
    return new ResourceEventHandler<>() {
      @Override
      public void onAdd(T object) {
        show(object);
      }

      @Override
      public void onUpdate(T before, T after) {
        show(after);
      }

      @Override
      public void onDelete(T object, boolean unknownFinalState) {
        if (!kind.equals("Event")) {
          print(kind + "/" + object.getMetadata().getName(), "deleted");
        }
      }

      private void show(T object) {
        String key = kind + "/" + object.getMetadata().getName();
        String now = line.apply(object);
        if (!now.equals(lastLine.put(key, now))) {
          print(kind.equals("Event") ? "event" : key, now);
        }
      }
    };
  }

  private synchronized void print(String resource, String what) {
    long seconds = elapsedSeconds();
    out.printf("  %02d:%02d  %-28s %s%n", seconds / 60, seconds % 60, resource, what);
  }

  @Override
  public void close() {
    informers.forEach(SharedIndexInformer::close);
  }
}
