package dev.flywheel.sandbox.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * Kubernetes' garbage collection by ownerReferences, in the background: when an object goes, each dependent whose owners
 * are all gone is deleted (finalizers honoured), and so on down the chain; an object created with only absent owners is
 * deleted too. Orphan propagation removes the owner's references from its dependents instead.
 */
public final class GarbageCollector implements AutoCloseable {
  private final ObjectStore store;
  private final ExecutorService worker = Executors.newSingleThreadExecutor(runnable -> {
    Thread thread = new Thread(runnable, "sandbox-api-garbage-collector");
    thread.setDaemon(true);
    return thread;
  });

  public GarbageCollector(ObjectStore store) {
    this.store = store;
  }

  /** The store's listener: hands the work to the collector's thread. */
  public void onChange(Change change) {
    if (change.type().equals("DELETED")) {
      String uid = change.object().at("/metadata/uid").asText();
      worker.execute(() -> collectDependentsOf(uid));
    } else if (change.type().equals("ADDED") && !change.object().at("/metadata/ownerReferences").isEmpty()) {
      ObjectStore.Entry entry = new ObjectStore.Entry(change.resource(), change.object());
      worker.execute(() -> collectIfOrphaned(entry));
    }
  }

  private void collectDependentsOf(String ownerUid) {
    for (ObjectStore.Entry dependent : store.dependentsOf(ownerUid)) {
      collectIfOrphaned(dependent);
    }
  }

  private void collectIfOrphaned(ObjectStore.Entry entry) {
    for (JsonNode owner : entry.object().at("/metadata/ownerReferences")) {
      if (store.existsUid(owner.path("uid").asText())) {
        return;
      }
    }
    JsonNode metadata = entry.object().path("metadata");
    try {
      store.delete(entry.type(), metadata.path("namespace").asText(null), metadata.path("name").asText(),
          metadata.path("uid").asText(), null, WriteOptions.DEFAULT);
    } catch (ApiException e) {
      // Gone already, or replaced by a new object of the same name (another uid): nothing to collect.
    }
  }

  /** Removes the references to this owner from its dependents (propagationPolicy=Orphan). */
  public void orphanDependentsOf(String ownerUid) {
    for (ObjectStore.Entry dependent : store.dependentsOf(ownerUid)) {
      JsonNode metadata = dependent.object().path("metadata");
      try {
        store.update(dependent.type(), metadata.path("namespace").asText(null), metadata.path("name").asText(), stored -> {
          ArrayNode owners = stored.withObject("/metadata").withArray("/ownerReferences");
          for (int i = owners.size() - 1; i >= 0; i--) {
            if (ownerUid.equals(owners.get(i).path("uid").asText())) {
              owners.remove(i);
            }
          }
          if (owners.isEmpty()) {
            ((ObjectNode) stored.get("metadata")).remove("ownerReferences");
          }
          return stored;
        }, false, WriteOptions.DEFAULT);
      } catch (ApiException e) {
        // Deleted meanwhile.
      }
    }
  }

  @Override
  public void close() {
    worker.shutdownNow();
    try {
      worker.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
