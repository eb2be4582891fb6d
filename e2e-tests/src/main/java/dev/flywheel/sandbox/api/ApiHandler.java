package dev.flywheel.sandbox.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import java.io.IOException;
import java.io.OutputStream;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP front of the in-process API: routes /version, discovery, OpenAPI and resource requests (watches streamed),
 * and turns every refusal into a Kubernetes Status (never a stack trace).
 */
final class ApiHandler implements HttpHandler {
  private static final Logger LOG = LoggerFactory.getLogger(ApiHandler.class);

  private final ResourceTypes types;
  private final ObjectStore store;
  private final ResourceRequests resources;
  private final Discovery discovery;
  private final OpenApiDocument openApi;

  private final RequestCounts counts;

  ApiHandler(ResourceTypes types, ObjectStore store, RequestCounts counts) {
    this.types = types;
    this.counts = counts;
    this.store = store;
    this.resources = new ResourceRequests(store);
    this.discovery = new Discovery(types);
    this.openApi = new OpenApiDocument(types);
  }

  @Override
  public void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      ApiRequest request = ApiRequest.from(exchange);
      try {
        route(exchange, request);
      } catch (ApiException e) {
        write(exchange, new ApiResponse(e.code(), e.toStatus()));
      } catch (RuntimeException e) {
        LOG.warn("{} {} failed", request.method(), request.path(), e);
        write(exchange, new ApiResponse(500, new ApiException(500, "InternalError",
            "an error on the server (" + e.getClass().getSimpleName() + ": " + e.getMessage() + ") has prevented the request from succeeding")
            .toStatus()));
      }
    }
  }

  private void route(HttpExchange exchange, ApiRequest request) throws IOException {
    Optional<ResourcePath> resourcePath = ResourcePath.parse(request.path());
    counts.count(request.userAgent(), request.method(), resourcePath.orElse(null), request.flag("watch"));
    if (resourcePath.isEmpty()) {
      Optional<JsonNode> document = discovery.document(request.path()).or(() -> openApi.document(request.path()));
      if (document.isEmpty() || !request.method().equals("GET")) {
        throw new ApiException(404, "NotFound", "the server could not find the requested resource");
      }
      write(exchange, ApiResponse.ok(document.get()));
      return;
    }
    ResourcePath path = resourcePath.get();
    ResourceType type = types.find(path.group(), path.version(), path.plural())
        .orElseThrow(() -> new ApiException(404, "NotFound", "the server could not find the requested resource"));
    if (request.method().equals("GET") && path.subresource() == null && request.flag("watch")) {
      watch(exchange, request, type, path);
      return;
    }
    ApiResponse response = resources.handle(request, type, path);
    if (request.method().equals("GET") && path.subresource() == null && TableRenderer.wanted(request.accept())) {
      response = ApiResponse.ok(TableRenderer.render(type, response.body(), "Object".equals(request.param("includeObject"))));
    }
    write(exchange, response);
  }

  private void watch(HttpExchange exchange, ApiRequest request, ResourceType type, ResourcePath path) throws IOException {
    if (request.websocketUpgrade()) {
      // No WebSocket here: a 200 makes the fabric8 client fall back to a watch over plain HTTP.
      exchange.getResponseHeaders().set("Connection", "close");
      write(exchange, ApiResponse.ok(new ApiException(200, "WebSocketUnsupported", "watch over HTTP instead").toStatus()));
      return;
    }
    var filter = Selectors.of(request.param("labelSelector"), request.param("fieldSelector"));
    if (path.name() != null) {
      String name = path.name();
      filter = filter.and(object -> name.equals(object.path("metadata").path("name").asText()));
    }
    String namespace = type.namespaced() ? path.namespace() : null;
    WatchHub.Watch watch = store.watch(type, namespace, filter, request.param("resourceVersion"));
    boolean table = TableRenderer.wanted(request.accept());
    boolean includeObject = "Object".equals(request.param("includeObject"));
    WatchStreamer.stream(exchange, watch, request.param("timeoutSeconds"), request.flag("allowWatchBookmarks"),
        object -> table ? TableRenderer.render(type, object, includeObject) : object);
  }

  static void write(HttpExchange exchange, ApiResponse response) throws IOException {
    byte[] body = ApiRequest.JSON.writeValueAsBytes(response.body());
    exchange.getResponseHeaders().set("Content-Type", "application/json");
    exchange.sendResponseHeaders(response.code(), body.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(body);
    }
  }

}
