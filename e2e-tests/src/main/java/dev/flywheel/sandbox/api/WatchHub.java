package dev.flywheel.sandbox.api;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArraySet;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * The open watches and the recent history of changes, so that a watch from a resourceVersion gets every change after it
 * (410 Gone once that version has left the history, as kube-apiserver after compaction). Called under the store's lock.
 */
public final class WatchHub {
  private static final int HISTORY = 20_000;

  private final ArrayDeque<Change> history = new ArrayDeque<>();
  private final CopyOnWriteArraySet<Watch> open = new CopyOnWriteArraySet<>();
  private long compactedThrough = 0;

  /** One open watch: its events in order; close it when the client goes. */
  public final class Watch implements AutoCloseable {
    private final ResourceType type;
    private final String namespace;
    private final Predicate<JsonNode> filter;
    private final BlockingQueue<Change> events = new LinkedBlockingQueue<>();
    private final long openedAt;
    private volatile long lastDelivered;

    private Watch(ResourceType type, String namespace, Predicate<JsonNode> filter, long openedAt) {
      this.type = type;
      this.namespace = namespace;
      this.filter = filter;
      this.openedAt = openedAt;
    }

    public ResourceType type() {
      return type;
    }

    /** Called once an event reached the client. */
    void delivered(Change change) {
      lastDelivered = Math.max(lastDelivered, change.resourceVersion());
    }

    /**
     * A resourceVersion up to which this watch has sent every change, once its queue is empty: the store's version when
     * it opened (the replayed and initial events were queued then) or the last event sent. What a BOOKMARK carries.
     */
    long bookmarkVersion() {
      return Math.max(openedAt, lastDelivered);
    }

    /** The next event, or null when none came within the timeout. */
    public Change next(long timeout, TimeUnit unit) throws InterruptedException {
      return events.poll(timeout, unit);
    }

    void offer(Change change) {
      if (!change.resource().storeKey().equals(type.storeKey())) {
        return;
      }
      if (namespace != null && type.namespaced() && !namespace.equals(change.namespace())) {
        return;
      }
      boolean matchesNow = filter.test(change.object());
      switch (change.type()) {
        case "MODIFIED" -> {
          boolean matchedBefore = change.previous() != null && filter.test(change.previous());
          if (matchesNow && matchedBefore) {
            events.add(change);
          } else if (matchesNow) {
            events.add(change.as("ADDED"));
          } else if (matchedBefore) {
            events.add(change.as("DELETED"));
          }
        }
        default -> {
          if (matchesNow) {
            events.add(change);
          }
        }
      }
    }

    @Override
    public void close() {
      open.remove(this);
    }
  }

  Watch open(ResourceType type, String namespace, Predicate<JsonNode> filter, long sinceResourceVersion, List<Change> initial,
      long currentResourceVersion) {
    if (sinceResourceVersion != 0 && sinceResourceVersion < compactedThrough) {
      throw new ApiException(410, "Expired", "too old resource version: " + sinceResourceVersion + " (" + compactedThrough + ")");
    }
    Watch watch = new Watch(type, namespace, filter, currentResourceVersion);
    initial.forEach(watch.events::add);
    if (sinceResourceVersion != 0) {
      for (Change change : history) {
        if (change.resourceVersion() > sinceResourceVersion) {
          watch.offer(change);
        }
      }
    }
    open.add(watch);
    return watch;
  }

  void publish(Change change) {
    history.addLast(change);
    while (history.size() > HISTORY) {
      compactedThrough = history.removeFirst().resourceVersion();
    }
    for (Watch watch : open) {
      watch.offer(change);
    }
  }
}
