package dev.flywheel.sandbox.api;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.server.mock.KubernetesAttributesExtractor;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.mockwebserver.crud.Attribute;
import io.fabric8.mockwebserver.crud.AttributeSet;
import io.fabric8.mockwebserver.dsl.HttpMethod;
import io.fabric8.mockwebserver.http.Buffer;
import io.fabric8.mockwebserver.http.Headers;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The fabric8 mock server in CRUD mode (its {@link KubernetesCrudDispatcher}) as the storage of the in-process API,
 * sent requests in process: it keeps the objects, matches paths and label and name selectors to them, sets uid,
 * creationTimestamp, resourceVersion and generation, raises generation on spec changes, keeps the status of CRDs with
 * the status subresource apart, refuses stale resourceVersions and duplicate names with 409, and holds deletion while
 * finalizers remain. This subclass records each state change fabric8 stores, so {@link ObjectStore} can tell the
 * watches and listeners (fabric8 itself tells only its WebSocket watches), and finds one object by name through an
 * index of fabric8's own keys (fabric8 scans every stored object for each read and write: 7 ms a read at 5,000 objects).
 * The index is checked against fabric8's map at every write; should fabric8 ever key an object otherwise, the lookups
 * fall back to fabric8's scan. Requests come one at a time (ObjectStore's lock).
 */
final class MockServerStorage extends KubernetesCrudDispatcher {
  /** One change fabric8 stored: the object's JSON before (null when created) and after (null when removed). */
  record Stored(String before, String after) {}

  /** fabric8's answer to one request: the HTTP code and the body (empty when it sent none). */
  record Answer(int code, String body) {}

  private static final Logger LOG = LoggerFactory.getLogger(MockServerStorage.class);

  private final List<Stored> changes = new ArrayList<>();
  private final Map<String, AttributeSet> keysByName = new ConcurrentHashMap<>();
  private volatile boolean indexed = true;

  @Override
  public void processEvent(String path, AttributeSet pathAttributes, AttributeSet oldAttributes,
      GenericKubernetesResource resource, String newState) {
    String before = oldAttributes == null ? null : map.get(oldAttributes);
    super.processEvent(path, pathAttributes, oldAttributes, resource, newState);
    String oldName = oldAttributes == null ? null : nameKey(oldAttributes);
    if (oldName != null) {
      keysByName.remove(oldName, oldAttributes);
    }
    if (newState != null) {
      index(storedKey(pathAttributes, resource, newState));
    }
    if (!Objects.equals(before, newState)) {
      synchronized (changes) {
        changes.add(new Stored(before, newState));
      }
    }
  }

  /** The key fabric8's processEvent stores an object under (its own extractor, as it calls it). */
  private AttributeSet storedKey(AttributeSet pathAttributes, GenericKubernetesResource resource, String newState) {
    KubernetesAttributesExtractor extractor = (KubernetesAttributesExtractor) attributeExtractor;
    AttributeSet key = resource != null ? extractor.extract(resource) : extractor.fromResource(newState);
    return key.containsKey(KubernetesAttributesExtractor.PLURAL) ? key : AttributeSet.merge(pathAttributes, key);
  }

  private void index(AttributeSet key) {
    String name = nameKey(key);
    if (name != null && map.containsKey(key)) {
      keysByName.put(name, key);
    } else if (indexed) {
      indexed = false;
      LOG.warn("fabric8 stored an object under another key than expected ({}): lookups by name scan the store", key);
    }
  }

  /** group/version/plural/namespace/name of a key or query, or null when it does not name one object. */
  private static String nameKey(AttributeSet attributes) {
    if (!attributes.containsKey(KubernetesAttributesExtractor.NAME) || !attributes.containsKey(KubernetesAttributesExtractor.PLURAL)) {
      return null;
    }
    StringBuilder key = new StringBuilder();
    for (String part : List.of(KubernetesAttributesExtractor.API, KubernetesAttributesExtractor.VERSION,
        KubernetesAttributesExtractor.PLURAL, KubernetesAttributesExtractor.NAMESPACE, KubernetesAttributesExtractor.NAME)) {
      Attribute attribute = attributes.getAttribute(part);
      key.append(attribute == null ? "" : attribute.getValues().iterator().next().toString()).append('/');
    }
    return key.toString();
  }

  /** fabric8's handlers (create, update, patch) look an object up here: by name through the index. */
  @Override
  public Map.Entry<AttributeSet, String> findResource(AttributeSet attributes) {
    String name = nameKey(attributes);
    if (!indexed || name == null) {
      return super.findResource(attributes);
    }
    AttributeSet key = keysByName.get(name);
    String value = key == null ? null : map.get(key);
    return value == null ? null : Map.entry(key, value);
  }

  /** A read of one object by name goes through the index; lists, watches and the rest to fabric8. */
  @Override
  public MockResponse handleGet(String path) {
    AttributeSet query = getKey(path);
    if (!indexed || path.contains("?") || nameKey(query) == null) {
      return super.handleGet(path);
    }
    Map.Entry<AttributeSet, String> found = findResource(query);
    return found == null ? new MockResponse().setResponseCode(404)
        : new MockResponse().setResponseCode(200).setBody(found.getValue());
  }

  /** Sends one request to fabric8's CRUD dispatcher, as its mock web server would. */
  Answer send(HttpMethod method, String path, String body) {
    Buffer buffer = body == null ? new Buffer() : new Buffer(body.getBytes(StandardCharsets.UTF_8));
    MockResponse response = dispatch(new RecordedRequest("HTTP/1.1", method, path, Headers.builder().build(), buffer));
    String text = response.getBody() == null ? "" : response.getBody().readUtf8();
    return new Answer(response.code(), text);
  }

  /** The changes stored since the last call, in order. */
  List<Stored> drainChanges() {
    synchronized (changes) {
      List<Stored> drained = List.copyOf(changes);
      changes.clear();
      return drained;
    }
  }
}
