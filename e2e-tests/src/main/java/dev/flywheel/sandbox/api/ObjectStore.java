package dev.flywheel.sandbox.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.flywheel.sandbox.api.Admission.Write;
import java.security.SecureRandom;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;

/**
 * The objects of the in-process API, as kube-apiserver keeps them in etcd: one resourceVersion counter, uid and
 * creationTimestamp set on create, generation raised only when the spec changes, the status subresource kept apart,
 * optimistic concurrency (409 on a stale resourceVersion), finalizers (deletion waits for them), no-op writes that change
 * nothing, and every change told to the watch hub and the listeners (garbage collector, CRD registry) in order.
 */
public final class ObjectStore {
  private static final char SEPARATOR = '\u0000';
  private static final String NAME_CHARACTERS = "bcdfghjklmnpqrstvwxz2456789";

  /** One stored object and its kind. */
  public record Entry(ResourceType type, ObjectNode object) {}

  /** The objects of a list and the resourceVersion it was taken at. */
  public record Listing(List<ObjectNode> items, long resourceVersion) {}

  private final TreeMap<String, Entry> objects = new TreeMap<>();
  private final Map<String, String> keysByUid = new java.util.HashMap<>();
  private final List<Consumer<Change>> listeners = new CopyOnWriteArrayList<>();
  private final WatchHub watches = new WatchHub();
  private final SecureRandom random = new SecureRandom();
  private volatile Admission admission = (type, stored, proposed, write, options) -> proposed;
  private long resourceVersion = 1;

  public void setAdmission(Admission admission) {
    this.admission = admission;
  }

  /** Told every change, in order, under the store's lock: keep it short (hand long work to another thread). */
  public void addListener(Consumer<Change> listener) {
    listeners.add(listener);
  }

  public WatchHub watches() {
    return watches;
  }

  private static String key(ResourceType type, String namespace, String name) {
    return type.storeKey() + SEPARATOR + (type.namespaced() && namespace != null ? namespace : "") + SEPARATOR + name;
  }

  public synchronized ObjectNode get(ResourceType type, String namespace, String name) {
    Entry entry = objects.get(key(type, namespace, name));
    if (entry == null) {
      throw ApiException.notFound(type, name);
    }
    return entry.object().deepCopy();
  }

  /** Whether an object with this uid is stored (the garbage collector's question about owners). */
  public synchronized boolean existsUid(String uid) {
    return keysByUid.containsKey(uid);
  }

  /** The objects of a kind, in one namespace or all (namespace null), that match the filter, ordered by namespace and name. */
  public synchronized Listing list(ResourceType type, String namespace, Predicate<JsonNode> filter) {
    String prefix = type.storeKey() + SEPARATOR + (type.namespaced() && namespace != null ? namespace + SEPARATOR : "");
    List<ObjectNode> items = new ArrayList<>();
    for (Entry entry : objects.subMap(prefix, prefix + Character.MAX_VALUE).values()) {
      if (filter.test(entry.object())) {
        items.add(entry.object().deepCopy());
      }
    }
    return new Listing(items, resourceVersion);
  }

  /** Every stored object whose ownerReferences name this uid. */
  public synchronized List<Entry> dependentsOf(String ownerUid) {
    List<Entry> dependents = new ArrayList<>();
    for (Entry entry : objects.values()) {
      for (JsonNode owner : entry.object().path("metadata").path("ownerReferences")) {
        if (ownerUid.equals(owner.path("uid").asText())) {
          dependents.add(new Entry(entry.type(), entry.object().deepCopy()));
          break;
        }
      }
    }
    return dependents;
  }

  /** Starts a watch: events after sinceResourceVersion (or ADDED for every current object when it is null or 0). */
  public synchronized WatchHub.Watch watch(ResourceType type, String namespace, Predicate<JsonNode> filter,
      String sinceResourceVersion) {
    long since = parseResourceVersion(sinceResourceVersion);
    List<Change> initial = new ArrayList<>();
    if (since == 0) {
      for (ObjectNode object : list(type, namespace, filter).items()) {
        initial.add(new Change("ADDED", type, object, null, resourceVersion));
      }
    }
    return watches.open(type, namespace, filter, since, initial, resourceVersion);
  }

  private static long parseResourceVersion(String text) {
    if (text == null || text.isEmpty()) {
      return 0;
    }
    try {
      return Long.parseLong(text);
    } catch (NumberFormatException e) {
      throw ApiException.badRequest("invalid resourceVersion \"" + text + "\"");
    }
  }

  public synchronized ObjectNode create(ResourceType type, String namespace, ObjectNode body, WriteOptions options) {
    ObjectNode object = body.deepCopy();
    checkKind(type, object);
    ObjectNode metadata = object.withObject("/metadata");
    String name = metadata.path("name").asText("");
    if (name.isEmpty() && metadata.hasNonNull("generateName")) {
      name = metadata.get("generateName").asText() + randomSuffix();
      metadata.put("name", name);
    }
    if (name.isEmpty()) {
      throw new ApiException(422, "Invalid", type.kind() + " \"\" is invalid: metadata.name: Required value: name or generateName is required",
          type, "", List.of(new ApiException.Cause("FieldValueRequired", "metadata.name", "Required value: name or generateName is required")));
    }
    placeInNamespace(type, namespace, metadata);
    String key = key(type, namespace, name);
    if (objects.containsKey(key)) {
      throw ApiException.alreadyExists(type, name);
    }
    if (type.statusSubresource()) {
      object.remove("status");
    }
    metadata.put("uid", UUID.randomUUID().toString());
    metadata.put("creationTimestamp", now());
    metadata.put("generation", 1);
    metadata.remove(List.of("deletionTimestamp", "deletionGracePeriodSeconds", "resourceVersion"));
    ObjectNode admitted = admission.admit(type, null, object, Write.CREATE, options);
    admitted.withObject("/metadata").put("resourceVersion", String.valueOf(resourceVersion + 1));
    if (!options.dryRun()) {
      resourceVersion++;
      objects.put(key, new Entry(type, admitted));
      keysByUid.put(admitted.at("/metadata/uid").asText(), key);
      publish(new Change("ADDED", type, admitted.deepCopy(), null, resourceVersion));
    }
    return admitted.deepCopy();
  }

  /**
   * Updates one object: change gets a copy of the stored object and returns the object the client asked for (a PUT body,
   * or the stored object patched). statusOnly: the status subresource (only status changes); otherwise the main
   * resource (status kept as stored when the kind has the status subresource).
   */
  public synchronized ObjectNode update(ResourceType type, String namespace, String name, UnaryOperator<ObjectNode> change,
      boolean statusOnly, WriteOptions options) {
    String key = key(type, namespace, name);
    Entry entry = objects.get(key);
    if (entry == null) {
      throw ApiException.notFound(type, name);
    }
    ObjectNode current = entry.object();
    ObjectNode proposed = change.apply(current.deepCopy());
    checkKind(type, proposed);
    JsonNode proposedMetadata = proposed.path("metadata");
    if (!proposedMetadata.path("name").asText(name).equals(name)) {
      throw ApiException.badRequest("the name of the object (" + proposedMetadata.path("name").asText()
          + ") does not match the name on the URL (" + name + ")");
    }
    String wantedVersion = proposedMetadata.path("resourceVersion").asText("");
    if (!wantedVersion.isEmpty() && !wantedVersion.equals(current.at("/metadata/resourceVersion").asText())) {
      throw ApiException.conflict(type, name);
    }
    ObjectNode next;
    if (statusOnly) {
      next = current.deepCopy();
      if (proposed.has("status")) {
        next.set("status", proposed.get("status"));
      } else {
        next.remove("status");
      }
    } else {
      next = proposed;
      if (type.statusSubresource()) {
        if (current.has("status")) {
          next.set("status", current.get("status").deepCopy());
        } else {
          next.remove("status");
        }
      }
      keepServerMetadata(current, next);
      checkFinalizersWhileDeleting(type, name, current, next);
    }
    ObjectNode admitted = admission.admit(type, current, next, statusOnly ? Write.STATUS : Write.UPDATE, options);
    ObjectNode metadata = admitted.withObject("/metadata");
    metadata.put("resourceVersion", current.at("/metadata/resourceVersion").asText());
    if (admitted.equals(current)) {
      return current.deepCopy();
    }
    if (!statusOnly && specChanged(current, admitted)) {
      metadata.put("generation", current.at("/metadata/generation").asLong(1) + 1);
    }
    metadata.put("resourceVersion", String.valueOf(resourceVersion + 1));
    if (options.dryRun()) {
      return admitted.deepCopy();
    }
    resourceVersion++;
    if (metadata.has("deletionTimestamp") && metadata.path("finalizers").isEmpty()) {
      remove(key, entry);
      publish(new Change("DELETED", type, admitted.deepCopy(), current, resourceVersion));
    } else {
      objects.put(key, new Entry(type, admitted));
      publish(new Change("MODIFIED", type, admitted.deepCopy(), current, resourceVersion));
    }
    return admitted.deepCopy();
  }

  /**
   * Deletes one object: with finalizers it only gets its deletionTimestamp (it goes once they are removed).
   * A non-null precondition uid or resourceVersion that differs from the stored one is a conflict.
   */
  public synchronized ObjectNode delete(ResourceType type, String namespace, String name, String preconditionUid,
      String preconditionResourceVersion, WriteOptions options) {
    String key = key(type, namespace, name);
    Entry entry = objects.get(key);
    if (entry == null) {
      throw ApiException.notFound(type, name);
    }
    ObjectNode current = entry.object();
    JsonNode metadata = current.path("metadata");
    if ((preconditionUid != null && !preconditionUid.equals(metadata.path("uid").asText()))
        || (preconditionResourceVersion != null && !preconditionResourceVersion.equals(metadata.path("resourceVersion").asText()))) {
      throw ApiException.conflict(type, name);
    }
    ObjectNode last = current.deepCopy();
    if (!metadata.path("finalizers").isEmpty()) {
      if (metadata.has("deletionTimestamp")) {
        return last;
      }
      last.withObject("/metadata").put("deletionTimestamp", now()).put("deletionGracePeriodSeconds", 0)
          .put("resourceVersion", String.valueOf(resourceVersion + 1));
      if (!options.dryRun()) {
        resourceVersion++;
        objects.put(key, new Entry(type, last));
        publish(new Change("MODIFIED", type, last.deepCopy(), current, resourceVersion));
      }
      return last.deepCopy();
    }
    last.withObject("/metadata").put("resourceVersion", String.valueOf(resourceVersion + 1));
    if (!options.dryRun()) {
      resourceVersion++;
      remove(key, entry);
      publish(new Change("DELETED", type, last.deepCopy(), current, resourceVersion));
    }
    return last;
  }

  private void remove(String key, Entry entry) {
    objects.remove(key);
    keysByUid.remove(entry.object().at("/metadata/uid").asText());
  }

  private void publish(Change change) {
    watches.publish(change);
    for (Consumer<Change> listener : listeners) {
      listener.accept(change);
    }
  }

  private static void checkKind(ResourceType type, ObjectNode object) {
    String apiVersion = object.path("apiVersion").asText("");
    String kind = object.path("kind").asText("");
    if ((!apiVersion.isEmpty() && !apiVersion.equals(type.apiVersion())) || (!kind.isEmpty() && !kind.equals(type.kind()))) {
      throw ApiException.badRequest("the API version in the data (" + apiVersion + ") and kind (" + kind
          + ") do not match the URL's " + type.apiVersion() + " " + type.kind());
    }
    object.put("apiVersion", type.apiVersion());
    object.put("kind", type.kind());
    if (!object.path("metadata").isObject()) {
      object.putObject("metadata");
    }
  }

  private static void placeInNamespace(ResourceType type, String namespace, ObjectNode metadata) {
    if (!type.namespaced()) {
      metadata.remove("namespace");
      return;
    }
    String given = metadata.path("namespace").asText("");
    if (!given.isEmpty() && !given.equals(namespace)) {
      throw ApiException.badRequest("the namespace of the provided object (" + given
          + ") does not match the namespace sent on the request (" + namespace + ")");
    }
    metadata.put("namespace", namespace);
  }

  /** Fields of metadata that only the server sets survive any update. */
  private static void keepServerMetadata(ObjectNode current, ObjectNode next) {
    ObjectNode metadata = next.withObject("/metadata");
    JsonNode stored = current.path("metadata");
    for (String field : List.of("name", "namespace", "uid", "creationTimestamp", "generation", "deletionTimestamp",
        "deletionGracePeriodSeconds")) {
      if (stored.has(field)) {
        metadata.set(field, stored.get(field).deepCopy());
      } else {
        metadata.remove(field);
      }
    }
  }

  private static void checkFinalizersWhileDeleting(ResourceType type, String name, ObjectNode current, ObjectNode next) {
    if (!current.path("metadata").has("deletionTimestamp")) {
      return;
    }
    Set<String> before = new HashSet<>();
    current.path("metadata").path("finalizers").forEach(f -> before.add(f.asText()));
    for (JsonNode finalizer : next.path("metadata").path("finalizers")) {
      if (!before.contains(finalizer.asText())) {
        String message = "Forbidden: no new finalizers can be added if the object is being deleted, found new finalizers [\""
            + finalizer.asText() + "\"]";
        throw new ApiException(422, "Invalid", type.kind() + " \"" + name + "\" is invalid: metadata.finalizers: " + message,
            type, name, List.of(new ApiException.Cause("FieldValueForbidden", "metadata.finalizers", message)));
      }
    }
  }

  /** Everything but metadata and status is the spec (spec, data, rules, ...): a change there raises the generation. */
  private static boolean specChanged(ObjectNode before, ObjectNode after) {
    ObjectNode a = before.deepCopy();
    ObjectNode b = after.deepCopy();
    for (ObjectNode node : List.of(a, b)) {
      node.remove(List.of("metadata", "status"));
    }
    return !a.equals(b);
  }

  private String randomSuffix() {
    StringBuilder suffix = new StringBuilder();
    for (int i = 0; i < 5; i++) {
      suffix.append(NAME_CHARACTERS.charAt(random.nextInt(NAME_CHARACTERS.length())));
    }
    return suffix.toString();
  }

  static String now() {
    return Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
  }
}
