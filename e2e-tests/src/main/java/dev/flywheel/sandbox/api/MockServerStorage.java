package dev.flywheel.sandbox.api;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.mockwebserver.crud.AttributeSet;
import io.fabric8.mockwebserver.dsl.HttpMethod;
import io.fabric8.mockwebserver.http.Buffer;
import io.fabric8.mockwebserver.http.Headers;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The fabric8 mock server in CRUD mode (its {@link KubernetesCrudDispatcher}) as the storage of the in-process API,
 * sent requests in process: it keeps the objects, matches paths and label and name selectors to them, sets uid,
 * creationTimestamp, resourceVersion and generation, raises generation on spec changes, keeps the status of CRDs with
 * the status subresource apart, refuses stale resourceVersions and duplicate names with 409, and holds deletion while
 * finalizers remain. This subclass only records each state change fabric8 stores, so {@link ObjectStore} can tell the
 * watches and listeners (fabric8 itself tells only its WebSocket watches).
 */
final class MockServerStorage extends KubernetesCrudDispatcher {
  /** One change fabric8 stored: the object's JSON before (null when created) and after (null when removed). */
  record Stored(String before, String after) {}

  /** fabric8's answer to one request: the HTTP code and the body (empty when it sent none). */
  record Answer(int code, String body) {}

  private final List<Stored> changes = new ArrayList<>();

  @Override
  public void processEvent(String path, AttributeSet pathAttributes, AttributeSet oldAttributes,
      GenericKubernetesResource resource, String newState) {
    String before = oldAttributes == null ? null : map.get(oldAttributes);
    super.processEvent(path, pathAttributes, oldAttributes, resource, newState);
    if (!Objects.equals(before, newState)) {
      synchronized (changes) {
        changes.add(new Stored(before, newState));
      }
    }
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
