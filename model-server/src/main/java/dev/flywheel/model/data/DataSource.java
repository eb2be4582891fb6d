package dev.flywheel.model.data;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Map;
import java.util.TreeMap;

/**
 * Opens the data a URI names: file:// URIs and plain paths directly; https:// with an optional Authorization
 * header from the environment (FLYWHEEL_HTTP_AUTHORIZATION); s3://bucket/key signed with AWS Signature V4 from
 * AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN (unsigned without them), in AWS_REGION (default
 * us-east-1), from AWS_ENDPOINT_URL_S3 or AWS_ENDPOINT_URL when set (S3-compatible stores, path-style) or AWS S3.
 * Credentials come from a Secret the operator references, never from the TrainingJob spec.
 * pvc:// is mounted by the operator and arrives here as a path.
 */
public final class DataSource {
  private DataSource() {}

  /** Returns a local file with the data, downloading it first when it is remote. */
  public static Path fetch(String uri, Path scratch) throws IOException {
    return fetch(uri, scratch, System.getenv());
  }

  /** The same, with the environment given (tests). */
  static Path fetch(String uri, Path scratch, Map<String, String> env) throws IOException {
    if (uri.startsWith("file://")) {
      return local(Path.of(URI.create(uri)));
    }
    if (uri.startsWith("https://")) {
      String authorization = env.get("FLYWHEEL_HTTP_AUTHORIZATION");
      return download(uri, authorization == null || authorization.isBlank() ? Map.of() : Map.of("Authorization", authorization), scratch);
    }
    if (uri.startsWith("s3://")) {
      return downloadS3(uri, scratch, env);
    }
    if (uri.startsWith("pvc://")) {
      throw new DataError("pvc:// URIs are mounted by the operator; pass the mounted path instead of " + uri);
    }
    if (uri.matches("^[a-zA-Z][a-zA-Z0-9+.-]*://.*")) {
      throw new DataError("unsupported data URI scheme: " + uri + " (use file://, https://, s3:// or a path)");
    }
    return local(Path.of(uri));
  }

  private static Path local(Path path) {
    if (!Files.isRegularFile(path)) {
      throw new DataError("data file not found: " + path);
    }
    return path;
  }

  private static Path downloadS3(String uri, Path scratch, Map<String, String> env) throws IOException {
    String rest = uri.substring("s3://".length());
    int slash = rest.indexOf('/');
    if (slash <= 0 || slash == rest.length() - 1) {
      throw new DataError("s3 URI needs a bucket and a key: " + uri);
    }
    String bucket = rest.substring(0, slash);
    String key = rest.substring(slash + 1);
    String region = firstSet(env, "AWS_REGION", "AWS_DEFAULT_REGION", "us-east-1");
    String endpoint = firstSet(env, "AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL", null);
    String path;
    URI base;
    if (endpoint != null) {
      base = URI.create(endpoint.replaceAll("/+$", ""));
      path = (base.getPath() == null ? "" : base.getPath()) + "/" + bucket + "/" + key;
    } else {
      base = URI.create("https://" + bucket + ".s3." + region + ".amazonaws.com");
      path = "/" + key;
    }
    String encodedPath = S3Signer.encodePath(path);
    String host = base.getPort() > 0 ? base.getHost() + ":" + base.getPort() : base.getHost();
    URI target = URI.create(base.getScheme() + "://" + host + encodedPath);
    Map<String, String> headers = new TreeMap<>();
    String accessKey = env.get("AWS_ACCESS_KEY_ID");
    String secretKey = env.get("AWS_SECRET_ACCESS_KEY");
    if (accessKey != null && !accessKey.isBlank() && secretKey != null) {
      String amzDate = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC).format(Instant.now());
      Map<String, String> signed = new TreeMap<>();
      signed.put("host", host);
      signed.put("x-amz-content-sha256", S3Signer.EMPTY_PAYLOAD);
      signed.put("x-amz-date", amzDate);
      String token = env.get("AWS_SESSION_TOKEN");
      if (token != null && !token.isBlank()) {
        signed.put("x-amz-security-token", token);
      }
      headers.putAll(signed);
      headers.remove("host");
      headers.put("Authorization", S3Signer.authorization("GET", encodedPath, signed, amzDate, region, accessKey, secretKey));
    }
    return download(target.toString(), headers, scratch);
  }

  private static String firstSet(Map<String, String> env, String first, String second, String fallback) {
    for (String name : new String[] {first, second}) {
      String value = env.get(name);
      if (value != null && !value.isBlank()) {
        return value;
      }
    }
    return fallback;
  }

  private static Path download(String uri, Map<String, String> headers, Path scratch) throws IOException {
    HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(30)).followRedirects(HttpClient.Redirect.NORMAL).build();
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(uri)).timeout(Duration.ofMinutes(30)).GET();
    headers.forEach(request::header);
    try {
      HttpResponse<InputStream> response = client.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
      try (InputStream body = response.body()) {
        if (response.statusCode() != 200) {
          throw new DataError("downloading " + uri + " failed: HTTP " + response.statusCode()
              + (response.statusCode() == 403 ? " (check the credentials in the referenced Secret)" : ""));
        }
        Files.createDirectories(scratch);
        Path file = Files.createTempFile(scratch, "dataset-", ".csv");
        Files.copy(body, file, StandardCopyOption.REPLACE_EXISTING);
        return file;
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while downloading " + uri, e);
    }
  }
}
