package dev.flywheel.operator.metrics;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * A Prometheus to query: its base URL (may carry a path prefix, e.g. {@code http://gateway/prometheus}), extra headers
 * sent with every query (e.g. {@code X-Scope-OrgID} for Mimir or Cortex), and credentials. toString shows header
 * names only and never the credentials.
 */
public record PrometheusEndpoint(String url, Map<String, String> headers, PrometheusCredentials credentials) {
  private static final String TOKEN = "token";
  private static final String USERNAME = "username";
  private static final String PASSWORD = "password";

  public PrometheusEndpoint {
    Objects.requireNonNull(url, "url");
    Objects.requireNonNull(headers, "headers");
    Objects.requireNonNull(credentials, "credentials");
    requireBaseUrl(url);
    TreeMap<String, String> copy = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    headers.forEach((name, value) -> {
      HeaderRules.requireValidName(name);
      HeaderRules.requireValidValue("the value of the Prometheus header " + name, value);
      if (copy.put(name, value) != null) {
        throw new IllegalArgumentException("the Prometheus header " + name + " is given twice (header names ignore case)");
      }
    });
    if (copy.containsKey("Authorization") && !(credentials instanceof PrometheusCredentials.None)) {
      throw new IllegalArgumentException("an Authorization header and a Prometheus Secret are both given; use one of them");
    }
    headers = Collections.unmodifiableMap(copy);
  }

  /** A Prometheus without extra headers or credentials. */
  public static PrometheusEndpoint of(String url) {
    return new PrometheusEndpoint(url, Map.of(), PrometheusCredentials.NONE);
  }

  /**
   * The endpoint a ModelDeployment's monitoring describes. {@code headers} and {@code secretData} may be null (not
   * given). {@code secretData} is the referenced Secret's decoded data: the key {@code token} (a bearer token), or the
   * keys {@code username} and {@code password} (basic auth); a trailing line break in a value is dropped (a Secret
   * made with {@code --from-file} often has one). Any other shape is an IllegalArgumentException whose message names
   * the keys, never a value.
   */
  public static PrometheusEndpoint from(String url, Map<String, String> headers, Map<String, String> secretData) {
    return new PrometheusEndpoint(url, headers == null ? Map.of() : headers, credentials(secretData));
  }

  private static PrometheusCredentials credentials(Map<String, String> secretData) {
    if (secretData == null || secretData.isEmpty()) {
      return PrometheusCredentials.NONE;
    }
    Set<String> keys = new TreeSet<>(secretData.keySet());
    if (keys.equals(Set.of(TOKEN))) {
      return new PrometheusCredentials.BearerToken(withoutTrailingLineBreak(secretData.get(TOKEN)));
    }
    if (keys.equals(Set.of(USERNAME, PASSWORD))) {
      return new PrometheusCredentials.BasicAuth(withoutTrailingLineBreak(secretData.get(USERNAME)),
          withoutTrailingLineBreak(secretData.get(PASSWORD)));
    }
    throw new IllegalArgumentException("the Prometheus Secret must hold the key token, or the keys username and password;"
        + " it holds " + String.join(", ", keys));
  }

  private static String withoutTrailingLineBreak(String value) {
    if (value == null) {
      return null;
    }
    int end = value.length();
    while (end > 0 && (value.charAt(end - 1) == '\n' || value.charAt(end - 1) == '\r')) {
      end--;
    }
    return value.substring(0, end);
  }

  private static void requireBaseUrl(String url) {
    if (!url.startsWith("http://") && !url.startsWith("https://")) {
      throw new IllegalArgumentException("the Prometheus URL must start with http:// or https://");
    }
    // Any '@' before the path, query or fragment may be user information (http://u:pa/ss@host splits at the '/').
    int authority = url.indexOf("://") + 3;
    int end = url.length();
    for (char c : new char[] {'?', '#'}) {
      int at = url.indexOf(c, authority);
      end = at >= 0 && at < end ? at : end;
    }
    if (url.substring(authority, end).contains("@")) {
      // Never echo such a URL: it holds a password.
      throw new IllegalArgumentException("the Prometheus URL must not hold credentials; put them in the Secret monitoring.secretRef names");
    }
    URI uri;
    try {
      uri = new URI(url);
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException("the Prometheus URL is not a URL: " + e.getReason());
    }
    if (uri.getHost() == null) {
      throw new IllegalArgumentException("the Prometheus URL has no host");
    }
    if (uri.getRawQuery() != null || uri.getRawFragment() != null) {
      throw new IllegalArgumentException("the Prometheus URL must be a base URL, without ?query or #fragment");
    }
  }

  @Override
  public String toString() {
    return "PrometheusEndpoint[url=" + url + ", headers=" + headers.keySet() + ", credentials=" + credentials + "]";
  }
}
