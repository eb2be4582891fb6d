package dev.flywheel.model.serve;

import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.flywheel.model.serve.http.HttpCall;
import java.io.IOException;

/**
 * The model server's one JSON mapper and its JSON answers: a body, or {"error": "…"} with a 4xx/5xx status. The
 * mapper reads NaN and Infinity as numbers so that they are refused with a clear reason, not as malformed JSON, and
 * reads decimals with Jackson's fast parser (the same doubles, bit for bit).
 */
final class ServerJson {
  static final ObjectMapper MAPPER = JsonMapper.builder().enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
      .enable(StreamReadFeature.USE_FAST_DOUBLE_PARSER) // correctly rounded like Double.parseDouble, several times faster
      .build();
  static final String CONTENT_TYPE = "application/json";

  private ServerJson() {}

  static ObjectNode object() {
    return MAPPER.createObjectNode();
  }

  static void reply(HttpCall call, int status, JsonNode body) throws IOException {
    call.respond(status, CONTENT_TYPE, MAPPER.writeValueAsBytes(body));
  }

  /** Answers {"error": message}; extraHeaders are name, value, name, value… */
  static void error(HttpCall call, int status, String message, String... extraHeaders) {
    errorWith(call, status, object().put("error", message), extraHeaders);
  }

  /** Answers an error body that carries more than the message (it must have "error"). */
  static void errorWith(HttpCall call, int status, ObjectNode body, String... extraHeaders) {
    try {
      call.respond(status, CONTENT_TYPE, MAPPER.writeValueAsBytes(body), extraHeaders);
    } catch (IOException e) {
      throw new IllegalStateException("cannot write a JSON error", e);
    }
  }
}
