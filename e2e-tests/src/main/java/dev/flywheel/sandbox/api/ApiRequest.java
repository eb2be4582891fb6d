package dev.flywheel.sandbox.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/** One HTTP request to the in-process API: method, path, decoded query parameters, headers (User-Agent: who asks) and body. */
public record ApiRequest(String method, String path, Map<String, String> query, String contentType, String accept,
    boolean websocketUpgrade, String userAgent, byte[] body) {
  static final ObjectMapper JSON = new ObjectMapper();
  static final YAMLMapper YAML = new YAMLMapper();

  static ApiRequest from(HttpExchange exchange) throws IOException {
    Map<String, String> query = new HashMap<>();
    String raw = exchange.getRequestURI().getRawQuery();
    if (raw != null) {
      for (String pair : raw.split("&")) {
        int equals = pair.indexOf('=');
        String key = URLDecoder.decode(equals < 0 ? pair : pair.substring(0, equals), StandardCharsets.UTF_8);
        String value = equals < 0 ? "" : URLDecoder.decode(pair.substring(equals + 1), StandardCharsets.UTF_8);
        query.put(key, value);
      }
    }
    String upgrade = exchange.getRequestHeaders().getFirst("Upgrade");
    return new ApiRequest(exchange.getRequestMethod().toUpperCase(), exchange.getRequestURI().getRawPath(), query,
        exchange.getRequestHeaders().getFirst("Content-Type"), exchange.getRequestHeaders().getFirst("Accept"),
        upgrade != null && upgrade.equalsIgnoreCase("websocket"), exchange.getRequestHeaders().getFirst("User-Agent"),
        exchange.getRequestBody().readAllBytes());
  }

  public String param(String name) {
    return query.get(name);
  }

  public boolean flag(String name) {
    String value = query.get(name);
    return value != null && (value.equals("true") || value.equals("1"));
  }

  /** The body as JSON (YAML when the content type says so; JSON is YAML too); 400 when it is neither. */
  public JsonNode json() {
    if (body.length == 0) {
      throw ApiException.badRequest("the request has no body");
    }
    if (contentType != null && (contentType.contains("protobuf") || contentType.contains("cbor"))) {
      throw new ApiException(415, "UnsupportedMediaType", "the body of the request was in an unknown format - accepted media"
          + " types include: application/json, application/yaml (this sandbox API speaks no " + contentType + ")");
    }
    try {
      boolean yaml = contentType != null && contentType.contains("yaml");
      return yaml ? YAML.readTree(body) : JSON.readTree(body);
    } catch (IOException e) {
      throw ApiException.badRequest("the body of the request cannot be decoded: " + e.getMessage());
    }
  }

  public WriteOptions writeOptions() {
    String dryRun = query.get("dryRun");
    return new WriteOptions(dryRun != null && !dryRun.isEmpty(), "Strict".equalsIgnoreCase(query.get("fieldValidation")));
  }
}
