package dev.flywheel.sandbox.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.flywheel.sandbox.api.Admission.Write;
import io.fabric8.kubernetes.client.server.mock.crud.KubernetesCrudPersistence;
import io.fabric8.mockwebserver.dsl.HttpMethod;
import java.security.SecureRandom;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;

/**
 * The objects of the in-process API, kept by the fabric8 mock server's CRUD dispatcher ({@link MockServerStorage}: storage,
 * uid, creationTimestamp, resourceVersion, generation, CRD status, 409 on duplicates, finalizers on delete) and extended
 * here with what kube-apiserver also does: admission (CRD schema, CEL, defaults) before every write, generateName,
 * namespace placement, the status subresource of built-in kinds, optimistic concurrency on status writes too, no-op
 * writes that change nothing, the finalizer rules while deleting, dry runs, a resourceVersion for deletions, and every
 * change told to the watch hub and the listeners (garbage collector, CRD registry) in order.
 */
public final class ObjectStore {
  private static final String NAME_CHARACTERS = "bcdfghjklmnpqrstvwxz2456789";

  /** One stored object and its kind. */
  public record Entry(ResourceType type, ObjectNode object) {}

  /** The objects of a list and the resourceVersion it was taken at. */
  public record Listing(List<ObjectNode> items, long resourceVersion) {}

  private final MockServerStorage storage = new MockServerStorage();
  private final OwnerIndex owners = new OwnerIndex();
  private final List<Consumer<Change>> listeners = new CopyOnWriteArrayList<>();
  private final WatchHub watches = new WatchHub();
  private final SecureRandom random = new SecureRandom();
  private volatile Admission admission = (type, stored, proposed, write, options) -> proposed;
  private long resourceVersion = 0;

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

  private static String objectPath(ResourceType type, String namespace, String name) {
    return type.collectionPath(type.namespaced() ? namespace : null) + "/" + name;
  }

  public synchronized ObjectNode get(ResourceType type, String namespace, String name) {
    return find(type, namespace, name).orElseThrow(() -> ApiException.notFound(type, name));
  }

  private Optional<ObjectNode> find(ResourceType type, String namespace, String name) {
    MockServerStorage.Answer answer = storage.send(HttpMethod.GET, objectPath(type, namespace, name), null);
    if (answer.code() == 404) {
      return Optional.empty();
    }
    ObjectNode object = parse(expect(answer, 200, type, name));
    if (!type.apiVersion().equals(object.path("apiVersion").asText())) {
      // fabric8 keys a core kind without a group, so a named group's kind of the same plural matches it too.
      return list(type, namespace, other -> name.equals(other.at("/metadata/name").asText())).items().stream().findFirst();
    }
    return Optional.of(object);
  }

  /** Whether an object with this uid is stored (the garbage collector's question about owners). */
  public synchronized boolean existsUid(String uid) {
    return owners.contains(uid);
  }

  /** The objects of a kind, in one namespace or all (namespace null), that match the filter, ordered by namespace and name. */
  public synchronized Listing list(ResourceType type, String namespace, Predicate<JsonNode> filter) {
    MockServerStorage.Answer answer = storage.send(HttpMethod.GET, type.collectionPath(type.namespaced() ? namespace : null), null);
    JsonNode list = parse(expect(answer, 200, type, null));
    List<ObjectNode> items = new ArrayList<>();
    for (JsonNode item : list.path("items")) {
      if (item.isObject() && type.apiVersion().equals(item.path("apiVersion").asText()) && filter.test(item)) {
        items.add(normalized((ObjectNode) item));
      }
    }
    items.sort(Comparator.comparing((ObjectNode item) -> item.at("/metadata/namespace").asText(""))
        .thenComparing(item -> item.at("/metadata/name").asText()));
    return new Listing(items, resourceVersion);
  }

  /** Every stored object whose ownerReferences name this uid. */
  public synchronized List<Entry> dependentsOf(String ownerUid) {
    List<Entry> dependents = new ArrayList<>();
    for (OwnerIndex.Location location : owners.dependentsOf(ownerUid)) {
      find(location.type(), location.namespace(), location.name())
          .ifPresent(object -> dependents.add(new Entry(location.type(), object)));
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
      // Kubernetes' form (five characters after the prefix); fabric8 would append "-" and a UUID.
      name = metadata.get("generateName").asText() + randomSuffix();
      metadata.put("name", name);
    }
    if (name.isEmpty()) {
      throw new ApiException(422, "Invalid", type.kind() + " \"\" is invalid: metadata.name: Required value: name or generateName is required",
          type, "", List.of(new ApiException.Cause("FieldValueRequired", "metadata.name", "Required value: name or generateName is required")));
    }
    placeInNamespace(type, namespace, metadata);
    if (type.statusSubresource()) {
      object.remove("status"); // fabric8 drops it only for CRDs; built-in kinds have the status subresource too
    }
    metadata.remove(List.of("uid", "creationTimestamp", "generation", "deletionTimestamp", "deletionGracePeriodSeconds",
        "resourceVersion"));
    ObjectNode admitted = admission.admit(type, null, object, Write.CREATE, options);
    if (options.dryRun()) {
      if (find(type, namespace, name).isPresent()) {
        throw ApiException.alreadyExists(type, name);
      }
      admitted.withObject("/metadata").put("uid", UUID.randomUUID().toString()).put("creationTimestamp", now())
          .put("generation", 1);
      return admitted;
    }
    MockServerStorage.Answer answer = storage.send(HttpMethod.POST, type.collectionPath(type.namespaced() ? namespace : null),
        json(admitted));
    if (answer.code() == 409) {
      throw ApiException.alreadyExists(type, name);
    }
    ObjectNode created = parse(expect(answer, 201, type, name));
    publishStored(type, null);
    return created;
  }

  /**
   * Updates one object: change gets a copy of the stored object and returns the object the client asked for (a PUT body,
   * or the stored object patched). statusOnly: the status subresource (only status changes); otherwise the main
   * resource (status kept as stored when the kind has the status subresource).
   */
  public synchronized ObjectNode update(ResourceType type, String namespace, String name, UnaryOperator<ObjectNode> change,
      boolean statusOnly, WriteOptions options) {
    ObjectNode current = get(type, namespace, name);
    ObjectNode proposed = change.apply(current.deepCopy());
    checkKind(type, proposed);
    JsonNode proposedMetadata = proposed.path("metadata");
    if (!proposedMetadata.path("name").asText(name).equals(name)) {
      throw ApiException.badRequest("the name of the object (" + proposedMetadata.path("name").asText()
          + ") does not match the name on the URL (" + name + ")");
    }
    // fabric8 checks the resourceVersion of main-resource writes only (its status write compares the stored object with itself).
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
    admitted.withObject("/metadata").put("resourceVersion", current.at("/metadata/resourceVersion").asText());
    if (admitted.equals(current)) {
      return current; // nothing changes: no write, no new resourceVersion, no event
    }
    if (options.dryRun()) {
      if (!statusOnly && KubernetesCrudPersistence.shouldIncreaseGeneration(current, admitted)) {
        admitted.withObject("/metadata").put("generation", current.at("/metadata/generation").asLong(1) + 1);
      }
      return admitted;
    }
    String path = objectPath(type, namespace, name);
    if (statusOnly && storage.isStatusSubresourceEnabledForResource(path)) {
      path += "/status";
    }
    MockServerStorage.Answer answer = storage.send(HttpMethod.PUT, path, json(admitted));
    if (answer.code() == 409) {
      throw ApiException.conflict(type, name);
    }
    String stored = expect(answer, 200, type, name);
    List<Change> changes = publishStored(type, admitted);
    if (stored.isEmpty() && !changes.isEmpty()) {
      return changes.get(changes.size() - 1).object().deepCopy(); // the last finalizer went: deleted
    }
    return parse(stored);
  }

  /**
   * Deletes one object: with finalizers it only gets its deletionTimestamp (it goes once they are removed).
   * A non-null precondition uid or resourceVersion that differs from the stored one is a conflict.
   */
  public synchronized ObjectNode delete(ResourceType type, String namespace, String name, String preconditionUid,
      String preconditionResourceVersion, WriteOptions options) {
    ObjectNode current = get(type, namespace, name);
    JsonNode metadata = current.path("metadata");
    if ((preconditionUid != null && !preconditionUid.equals(metadata.path("uid").asText()))
        || (preconditionResourceVersion != null && !preconditionResourceVersion.equals(metadata.path("resourceVersion").asText()))) {
      throw ApiException.conflict(type, name);
    }
    boolean finalizers = !metadata.path("finalizers").isEmpty();
    if (options.dryRun()) {
      if (finalizers && !metadata.has("deletionTimestamp")) {
        current.withObject("/metadata").put("deletionTimestamp", now());
      }
      return current;
    }
    MockServerStorage.Answer answer = storage.send(HttpMethod.DELETE, objectPath(type, namespace, name), null);
    if (answer.code() == 404) {
      throw ApiException.notFound(type, name);
    }
    expect(answer, 200, type, name);
    List<Change> changes = publishStored(type, null);
    return changes.isEmpty() ? current : changes.get(changes.size() - 1).object().deepCopy();
  }

  /**
   * Tells the watch hub, the owner index and the listeners what fabric8 stored since the last call. fabric8 gives a
   * removal no resourceVersion of its own: it gets the next one here, as a deletion does in kube-apiserver.
   *
   * @param lastState the object's last state when an update removed it (its last finalizer went), else null
   */
  private List<Change> publishStored(ResourceType type, ObjectNode lastState) {
    List<Change> published = new ArrayList<>();
    for (MockServerStorage.Stored stored : storage.drainChanges()) {
      ObjectNode previous = stored.before() == null ? null : parse(stored.before());
      Change change;
      if (stored.after() == null) {
        long version = storage.requestResourceVersion();
        ObjectNode last = (lastState != null ? lastState : previous).deepCopy();
        last.withObject("/metadata").put("resourceVersion", String.valueOf(version));
        change = new Change("DELETED", type, last, previous, version);
      } else {
        ObjectNode object = parse(stored.after());
        change = new Change(previous == null ? "ADDED" : "MODIFIED", type, object, previous,
            object.at("/metadata/resourceVersion").asLong());
      }
      resourceVersion = Math.max(resourceVersion, change.resourceVersion());
      owners.onChange(change);
      watches.publish(change);
      for (Consumer<Change> listener : listeners) {
        listener.accept(change);
      }
      published.add(change);
    }
    return published;
  }

  /** The body of an answer with the expected code; any other is turned into the refusal fabric8 gave. */
  private static String expect(MockServerStorage.Answer answer, int code, ResourceType type, String name) {
    if (answer.code() == code) {
      return answer.body();
    }
    if (answer.code() == 404) {
      throw name == null ? new ApiException(404, "NotFound", "the server could not find the requested resource")
          : ApiException.notFound(type, name);
    }
    String message = answer.body();
    try {
      message = ApiRequest.JSON.readTree(answer.body()).path("message").asText(answer.body());
    } catch (JsonProcessingException e) {
      // Not a Status: the body is the message.
    }
    throw new ApiException(answer.code(), answer.code() == 400 ? "BadRequest" : "Invalid", message, type, name, List.of());
  }

  private static String json(ObjectNode object) {
    try {
      return ApiRequest.JSON.writeValueAsString(object);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  private static ObjectNode parse(String json) {
    try {
      return normalized((ObjectNode) ApiRequest.JSON.readTree(json));
    } catch (JsonProcessingException | ClassCastException e) {
      throw new IllegalStateException("fabric8's storage gave an object that is not JSON: " + json, e);
    }
  }

  /** fabric8 writes "namespace": null into cluster-scoped objects it updates; kube-apiserver leaves the field out. */
  private static ObjectNode normalized(ObjectNode object) {
    JsonNode metadata = object.path("metadata");
    if (metadata.isObject() && metadata.path("namespace").isNull()) {
      ((ObjectNode) metadata).remove("namespace");
    }
    return object;
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
