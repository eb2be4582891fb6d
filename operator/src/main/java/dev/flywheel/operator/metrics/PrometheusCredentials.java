package dev.flywheel.operator.metrics;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Optional;

/** How the operator authenticates to Prometheus: not at all, a bearer token, or basic auth; toString never shows them. */
public sealed interface PrometheusCredentials {
  /** No credentials. */
  PrometheusCredentials NONE = new None();

  /** The value of the Authorization header these credentials send, if any. */
  Optional<String> authorization();

  /** No Authorization header. */
  record None() implements PrometheusCredentials {
    @Override
    public Optional<String> authorization() {
      return Optional.empty();
    }

    @Override
    public String toString() {
      return "none";
    }
  }

  /** {@code Authorization: Bearer <token>}. */
  record BearerToken(String token) implements PrometheusCredentials {
    public BearerToken {
      if (token == null || token.isBlank()) {
        throw new IllegalArgumentException("the Prometheus bearer token is empty");
      }
      HeaderRules.requireValidValue("the Prometheus bearer token", token);
    }

    @Override
    public Optional<String> authorization() {
      return Optional.of("Bearer " + token);
    }

    @Override
    public String toString() {
      return "BearerToken[token=***]";
    }
  }

  /** {@code Authorization: Basic base64(username:password)}. */
  record BasicAuth(String username, String password) implements PrometheusCredentials {
    public BasicAuth {
      if (username == null || username.isEmpty() || username.indexOf(':') >= 0) {
        throw new IllegalArgumentException("the Prometheus basic-auth username is empty or contains ':'");
      }
      if (password == null) {
        throw new IllegalArgumentException("the Prometheus basic-auth password is missing");
      }
    }

    @Override
    public Optional<String> authorization() {
      String pair = username + ":" + password;
      return Optional.of("Basic " + Base64.getEncoder().encodeToString(pair.getBytes(StandardCharsets.UTF_8)));
    }

    @Override
    public String toString() {
      return "BasicAuth[username=***, password=***]";
    }
  }
}
