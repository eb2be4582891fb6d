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

/**
 * Opens the data a URI names: file:// URIs and plain paths directly; https:// with an optional
 * Authorization header from the environment (FLYWHEEL_HTTP_AUTHORIZATION, filled from a referenced Secret).
 * pvc:// is mounted by the operator and arrives here as a path.
 */
public final class DataSource {
  private DataSource() {}

  /** Returns a local file with the data, downloading it first when it is remote. */
  public static Path fetch(String uri, Path scratch) throws IOException {
    if (uri.startsWith("file://")) {
      return local(Path.of(URI.create(uri)));
    }
    if (uri.startsWith("https://")) {
      return download(uri, scratch);
    }
    if (uri.startsWith("s3://")) {
      throw new DataError("s3:// data is not readable by this trainer yet: " + uri);
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

  private static Path download(String uri, Path scratch) throws IOException {
    HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(30)).followRedirects(HttpClient.Redirect.NORMAL).build();
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(uri)).timeout(Duration.ofMinutes(30)).GET();
    String authorization = System.getenv("FLYWHEEL_HTTP_AUTHORIZATION");
    if (authorization != null && !authorization.isBlank()) {
      request.header("Authorization", authorization);
    }
    try {
      HttpResponse<InputStream> response = client.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
      try (InputStream body = response.body()) {
        if (response.statusCode() != 200) {
          throw new DataError("downloading " + uri + " failed: HTTP " + response.statusCode());
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
