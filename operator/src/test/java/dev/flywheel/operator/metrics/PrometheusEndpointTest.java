package dev.flywheel.operator.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A Prometheus endpoint from a ModelDeployment's monitoring: URL rules, header rules, the Secret's shapes, redaction. */
class PrometheusEndpointTest {
  private static final String URL = "http://prometheus.monitoring.svc:9090";

  @Test
  void noSecretMeansNoCredentials() {
    assertThat(PrometheusEndpoint.from(URL, null, null).credentials()).isEqualTo(PrometheusCredentials.NONE);
    assertThat(PrometheusEndpoint.from(URL, Map.of(), Map.of()).credentials().authorization()).isEmpty();
    assertThat(PrometheusEndpoint.of(URL).headers()).isEmpty();
  }

  @Test
  void aTokenIsSentAsBearer() {
    PrometheusEndpoint endpoint = PrometheusEndpoint.from(URL, Map.of(), Map.of("token", "s3cr3t-t0ken\n"));
    assertThat(endpoint.credentials()).isInstanceOf(PrometheusCredentials.BearerToken.class);
    assertThat(endpoint.credentials().authorization()).contains("Bearer s3cr3t-t0ken");
  }

  @Test
  void usernameAndPasswordAreSentAsBasicAuth() {
    PrometheusEndpoint endpoint = PrometheusEndpoint.from(URL, Map.of(), Map.of("username", "flywheel", "password", "pa:ss wörd\r\n"));
    String expected = Base64.getEncoder().encodeToString("flywheel:pa:ss wörd".getBytes(StandardCharsets.UTF_8));
    assertThat(endpoint.credentials().authorization()).contains("Basic " + expected);
  }

  @Test
  void anyOtherSecretShapeIsRefusedNamingKeysNeverValues() {
    for (Map<String, String> data : new Map[] {
        Map.of("token", "tok-value", "username", "user-value"),
        Map.of("username", "user-value"),
        Map.of("password", "pass-value"),
        Map.of("bearer", "tok-value"),
        Map.of("token", "tok-value", "ca.crt", "cert-value")}) {
      assertThatThrownBy(() -> PrometheusEndpoint.from(URL, Map.of(), data))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageStartingWith("the Prometheus Secret must hold the key token, or the keys username and password; it holds ")
          .hasMessageNotContaining("-value")
          .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
    }
    assertThatThrownBy(() -> PrometheusEndpoint.from(URL, Map.of(), Map.of("token", "a", "extra", "b")))
        .hasMessageEndingWith("it holds extra, token");
  }

  @Test
  void emptyOrBrokenCredentialsAreRefusedWithoutShowingThem() {
    assertThatThrownBy(() -> PrometheusEndpoint.from(URL, Map.of(), Map.of("token", "\n")))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("the Prometheus bearer token is empty");
    assertThatThrownBy(() -> PrometheusEndpoint.from(URL, Map.of(), Map.of("token", "abc\ndef")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageNotContaining("abc");
    assertThatThrownBy(() -> PrometheusEndpoint.from(URL, Map.of(), Map.of("username", "", "password", "secret-pw")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageNotContaining("secret-pw");
    Map<String, String> nullPassword = new HashMap<>();
    nullPassword.put("username", "u");
    nullPassword.put("password", null);
    assertThatThrownBy(() -> PrometheusEndpoint.from(URL, Map.of(), nullPassword)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void toStringNeverShowsCredentialsOrHeaderValues() {
    PrometheusEndpoint bearer = PrometheusEndpoint.from(URL, Map.of("X-Scope-OrgID", "tenant-secret"), Map.of("token", "s3cr3t-t0ken"));
    PrometheusEndpoint basic = PrometheusEndpoint.from(URL, Map.of(), Map.of("username", "the-user", "password", "the-password"));
    assertThat(bearer.toString()).isEqualTo("PrometheusEndpoint[url=" + URL + ", headers=[X-Scope-OrgID], credentials=BearerToken[token=***]]");
    assertThat(basic.toString()).doesNotContain("the-user").doesNotContain("the-password").contains("BasicAuth[username=***, password=***]");
    assertThat(basic.credentials().toString()).doesNotContain("the-password");
    assertThat(bearer.credentials().toString()).doesNotContain("s3cr3t");
  }

  @Test
  void theUrlMustBeAnHttpBaseUrlWithoutCredentials() {
    assertThat(PrometheusEndpoint.of("https://gateway.example/prometheus/").url()).isEqualTo("https://gateway.example/prometheus/");
    assertThatThrownBy(() -> PrometheusEndpoint.of("http://admin:hunter2@prometheus:9090"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageNotContaining("hunter2").hasMessageContaining("secretRef");
    assertThatThrownBy(() -> PrometheusEndpoint.of("ftp://prometheus")).hasMessageContaining("http://");
    assertThatThrownBy(() -> PrometheusEndpoint.of("http://prometheus:9090/api/v1/query?query=up")).hasMessageContaining("base URL");
    assertThatThrownBy(() -> PrometheusEndpoint.of("http:///nohost")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> PrometheusEndpoint.of("http://pro metheus")).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void headersAreCheckedAndIgnoreCase() {
    assertThat(PrometheusEndpoint.from(URL, Map.of("X-Scope-OrgID", "team-a"), null).headers()).containsEntry("x-scope-orgid", "team-a");
    assertThatThrownBy(() -> PrometheusEndpoint.from(URL, Map.of("X-Scope-OrgID", "a", "x-scope-orgid", "b"), null))
        .hasMessageContaining("given twice");
    assertThatThrownBy(() -> PrometheusEndpoint.from(URL, Map.of("X-Tenant", "a\r\nX-Injected: yes"), null))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("X-Tenant").hasMessageNotContaining("Injected");
    assertThatThrownBy(() -> PrometheusEndpoint.from(URL, Map.of("Bad Name", "a"), null)).hasMessageContaining("not a valid HTTP header name");
    assertThatThrownBy(() -> PrometheusEndpoint.from(URL, Map.of("Host", "evil"), null)).hasMessageContaining("the HTTP client sets it");
    assertThatThrownBy(() -> PrometheusEndpoint.from(URL, Map.of("Authorization", "Bearer x"), Map.of("token", "y")))
        .hasMessage("an Authorization header and a Prometheus Secret are both given; use one of them");
  }
}
