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
import java.util.Map;

/**
 * Opens the data a URI names: file:// URIs and plain paths directly; https:// with an optional Authorization
 * header from the environment (FLYWHEEL_HTTP_AUTHORIZATION); s3://bucket/key through {@link S3Client}.
 * Credentials come from a Secret the operator references, never from the TrainingJob spec.
 * pvc:// is mounted by the operator and arrives here as a path. A URI that ends in '/' names a directory of shards:
 * see {@link Dataset}.
 */
public final class DataSource {
  /** A location with a URI scheme (s3://, pvc://, …), as opposed to a plain path. */
  static final java.util.regex.Pattern URI_SCHEME = java.util.regex.Pattern.compile("^[a-zA-Z][a-zA-Z0-9+.-]*://.*");

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
    if (URI_SCHEME.matcher(uri).matches()) {
      throw new DataError("unsupported data URI scheme: " + uri + " (use file://, https://, s3:// or a path)");
    }
    return local(Path.of(uri));
  }

  private static Path local(Path path) {
    if (Files.isDirectory(path)) {
      throw new DataError("dataset " + path + " is a directory: end the URI with '/' to read every .csv shard in it");
    }
    if (!Files.isRegularFile(path)) {
      throw new DataError("data file not found: " + path);
    }
    return path;
  }

  private static Path downloadS3(String uri, Path scratch, Map<String, String> env) throws IOException {
    S3Client.Location object = S3Client.Location.parse(uri);
    if (object.key().isEmpty()) {
      throw new DataError("s3 URI needs a bucket and a key: " + uri);
    }
    Files.createDirectories(scratch);
    Path file = Files.createTempFile(scratch, "dataset-", ".csv");
    new S3Client(env).get(object, file);
    return file;
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
