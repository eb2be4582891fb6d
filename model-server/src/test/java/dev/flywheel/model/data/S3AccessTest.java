package dev.flywheel.model.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reading s3:// data: AWS Signature V4 (checked against AWS's published example) and the request an S3 endpoint receives. */
class S3AccessTest {
  @TempDir Path tmp;

  @Test
  void signatureMatchesAwsPublishedGetObjectExample() {
    Map<String, String> headers = new TreeMap<>(Map.of(
        "Host", "examplebucket.s3.amazonaws.com",
        "Range", "bytes=0-9",
        "x-amz-content-sha256", S3Signer.EMPTY_PAYLOAD,
        "x-amz-date", "20130524T000000Z"));
    assertThat(S3Signer.authorization("GET", "/test.txt", headers, "20130524T000000Z", "us-east-1",
        "AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"))
        .isEqualTo("AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,"
            + "SignedHeaders=host;range;x-amz-content-sha256;x-amz-date,"
            + "Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41");
    assertThat(S3Signer.encodePath("/bucket/data 2026/churn+é.csv")).isEqualTo("/bucket/data%202026/churn%2Bé.csv".replace("é", "%C3%A9"));
  }

  @Test
  void s3ObjectsAreReadPathStyleFromTheConfiguredEndpointWithSignedRequests() throws Exception {
    String csv = "a,y\n1,yes\n2,no\n";
    AtomicReference<String> verified = new AtomicReference<>();
    HttpServer endpoint = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    endpoint.createContext("/", exchange -> {
      String path = exchange.getRequestURI().getRawPath();
      var h = exchange.getRequestHeaders();
      Map<String, String> signed = new TreeMap<>(Map.of("host", h.getFirst("Host"), "x-amz-content-sha256", h.getFirst("x-amz-content-sha256"),
          "x-amz-date", h.getFirst("x-amz-date"), "x-amz-security-token", h.getFirst("x-amz-security-token")));
      String expected = S3Signer.authorization("GET", path, signed, h.getFirst("x-amz-date"), "eu-west-1", "AKIDTEST", "secret/key");
      boolean ok = expected.equals(h.getFirst("Authorization")) && path.equals("/datasets/churn/2026-11.csv");
      verified.set(ok ? "ok" : "refused " + path + " " + h.getFirst("Authorization"));
      byte[] body = ok ? csv.getBytes(StandardCharsets.UTF_8) : "<Error><Code>SignatureDoesNotMatch</Code></Error>".getBytes(StandardCharsets.UTF_8);
      exchange.sendResponseHeaders(ok ? 200 : 403, body.length);
      exchange.getResponseBody().write(body);
      exchange.close();
    });
    endpoint.start();
    try {
      Map<String, String> env = Map.of("AWS_ENDPOINT_URL", "http://127.0.0.1:" + endpoint.getAddress().getPort(), "AWS_REGION", "eu-west-1",
          "AWS_ACCESS_KEY_ID", "AKIDTEST", "AWS_SECRET_ACCESS_KEY", "secret/key", "AWS_SESSION_TOKEN", "session-token");
      Path file = DataSource.fetch("s3://datasets/churn/2026-11.csv", tmp, env);
      assertThat(verified.get()).isEqualTo("ok");
      assertThat(Files.readString(file)).isEqualTo(csv);

      Map<String, String> wrongKey = new TreeMap<>(env);
      wrongKey.put("AWS_SECRET_ACCESS_KEY", "not-the-secret");
      assertThatThrownBy(() -> DataSource.fetch("s3://datasets/churn/2026-11.csv", tmp, wrongKey))
          .isInstanceOf(DataError.class)
          .hasMessageEndingWith("failed: HTTP 403 (check the credentials in the referenced Secret)");
      assertThatThrownBy(() -> DataSource.fetch("s3://datasets", tmp, env)).hasMessage("s3 URI needs a bucket and a key: s3://datasets");
    } finally {
      endpoint.stop(0);
    }
  }
}
