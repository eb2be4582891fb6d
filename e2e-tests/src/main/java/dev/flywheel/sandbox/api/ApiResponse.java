package dev.flywheel.sandbox.api;

import com.fasterxml.jackson.databind.JsonNode;

/** A JSON answer of the in-process API: HTTP status code and body. */
public record ApiResponse(int code, JsonNode body) {
  public static ApiResponse ok(JsonNode body) {
    return new ApiResponse(200, body);
  }
}
