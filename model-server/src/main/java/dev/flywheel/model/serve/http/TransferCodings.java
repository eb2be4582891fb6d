package dev.flywheel.model.serve.http;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Which Transfer-Encoding a request may use here: none, or chunked alone (RFC 9112 section 6). */
final class TransferCodings {
  private TransferCodings() {}

  /**
   * @param headerValues every Transfer-Encoding header of the request
   * @return null when the server can read the body; otherwise why not — a message that starts with "chunked" when the
   *     body's length cannot be known (400), one about an unsupported coding otherwise (501)
   */
  static String problem(List<String> headerValues) {
    List<String> codings = new ArrayList<>();
    for (String value : headerValues) {
      for (String coding : value.split(",")) {
        String name = coding.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
        if (!name.isEmpty()) {
          codings.add(name);
        }
      }
    }
    if (codings.isEmpty()) {
      return null;
    }
    if (!codings.get(codings.size() - 1).equals("chunked") || codings.indexOf("chunked") != codings.size() - 1) {
      return "chunked must be the last transfer coding, and only once, or the body's length is unknown (Transfer-Encoding: "
          + String.join(", ", codings) + ")";
    }
    if (codings.size() > 1) {
      return "transfer coding '" + codings.get(0) + "' is not supported: send the body with chunked alone or a Content-Length";
    }
    return null;
  }
}
