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
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import javax.xml.parsers.DocumentBuilderFactory;
import org.w3c.dom.Document;
import org.w3c.dom.NodeList;

/**
 * Reads from S3 or an S3-compatible store with AWS Signature V4: credentials from AWS_ACCESS_KEY_ID,
 * AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN (unsigned without them), AWS_REGION (default us-east-1), and
 * AWS_ENDPOINT_URL_S3 or AWS_ENDPOINT_URL (path-style) when set, else AWS S3 (virtual-hosted).
 */
final class S3Client {
  private static final DateTimeFormatter AMZ_DATE = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);

  private final Map<String, String> env;
  private final String region;
  private final String endpoint;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(30)).build();

  S3Client(Map<String, String> env) {
    this.env = env;
    this.region = firstSet("AWS_REGION", "AWS_DEFAULT_REGION", "us-east-1");
    this.endpoint = firstSet("AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL", null);
  }

  /** A parsed s3://bucket/key URI; the key may be empty (the whole bucket). */
  record Location(String bucket, String key) {
    static Location parse(String uri) {
      String rest = uri.substring("s3://".length());
      int slash = rest.indexOf('/');
      String bucket = slash < 0 ? rest : rest.substring(0, slash);
      if (bucket.isEmpty()) {
        throw new DataError("s3 URI needs a bucket: " + uri);
      }
      return new Location(bucket, slash < 0 ? "" : rest.substring(slash + 1));
    }
  }

  /** Downloads one object to a file. */
  void get(Location object, Path file) throws IOException {
    HttpResponse<InputStream> response = send(object.bucket(), object.key(), Map.of());
    try (InputStream body = response.body()) {
      check(response, object);
      Files.createDirectories(file.toAbsolutePath().getParent());
      Files.copy(body, file, StandardCopyOption.REPLACE_EXISTING);
    }
  }

  /** The keys of all objects under a prefix (ListObjectsV2, following continuation tokens). */
  List<String> list(String bucket, String prefix) throws IOException {
    return list(bucket, prefix, 1000);
  }

  /** The same, asking for at most pageSize keys a page (S3's own limit is 1000; tests take fewer to page). */
  List<String> list(String bucket, String prefix, int pageSize) throws IOException {
    List<String> keys = new ArrayList<>();
    String token = null;
    do {
      Map<String, String> query = new TreeMap<>(Map.of("list-type", "2", "prefix", prefix, "max-keys", String.valueOf(pageSize)));
      if (token != null) {
        query.put("continuation-token", token);
      }
      HttpResponse<InputStream> response = send(bucket, "", query);
      Document xml;
      try (InputStream body = response.body()) {
        check(response, new Location(bucket, prefix));
        DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
        factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
        xml = factory.newDocumentBuilder().parse(body);
      } catch (javax.xml.parsers.ParserConfigurationException | org.xml.sax.SAXException e) {
        throw new DataError("the S3 listing of s3://" + bucket + "/" + prefix + " is not valid XML");
      }
      NodeList contents = xml.getElementsByTagName("Key");
      for (int i = 0; i < contents.getLength(); i++) {
        keys.add(contents.item(i).getTextContent());
      }
      NodeList truncated = xml.getElementsByTagName("IsTruncated");
      NodeList next = xml.getElementsByTagName("NextContinuationToken");
      token = truncated.getLength() > 0 && "true".equals(truncated.item(0).getTextContent()) && next.getLength() > 0
          ? next.item(0).getTextContent() : null;
    } while (token != null);
    return keys;
  }

  private HttpResponse<InputStream> send(String bucket, String key, Map<String, String> query) throws IOException {
    URI base;
    String path;
    if (endpoint != null) {
      base = URI.create(endpoint.replaceAll("/+$", ""));
      path = (base.getPath() == null ? "" : base.getPath()) + "/" + bucket + "/" + key;
    } else {
      base = URI.create("https://" + bucket + ".s3." + region + ".amazonaws.com");
      path = "/" + key;
    }
    String encodedPath = S3Signer.encodePath(path);
    String canonicalQuery = S3Signer.canonicalQuery(query);
    String host = base.getPort() > 0 ? base.getHost() + ":" + base.getPort() : base.getHost();
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base.getScheme() + "://" + host + encodedPath
        + (canonicalQuery.isEmpty() ? "" : "?" + canonicalQuery))).timeout(Duration.ofMinutes(30)).GET();
    String accessKey = env.get("AWS_ACCESS_KEY_ID");
    String secretKey = env.get("AWS_SECRET_ACCESS_KEY");
    if (accessKey != null && !accessKey.isBlank() && secretKey != null) {
      String amzDate = AMZ_DATE.format(Instant.now());
      Map<String, String> signed = new TreeMap<>(Map.of("host", host, "x-amz-content-sha256", S3Signer.EMPTY_PAYLOAD, "x-amz-date", amzDate));
      String token = env.get("AWS_SESSION_TOKEN");
      if (token != null && !token.isBlank()) {
        signed.put("x-amz-security-token", token);
      }
      signed.forEach((name, value) -> {
        if (!name.equals("host")) {
          request.header(name, value);
        }
      });
      request.header("Authorization", S3Signer.authorization("GET", encodedPath, canonicalQuery, signed, amzDate, region, accessKey, secretKey));
    }
    try {
      return http.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while reading s3://" + bucket + "/" + key, e);
    }
  }

  private static void check(HttpResponse<InputStream> response, Location location) {
    if (response.statusCode() != 200) {
      throw new DataError("reading s3://" + location.bucket() + "/" + location.key() + " failed: HTTP " + response.statusCode()
          + (response.statusCode() == 403 ? " (check the credentials in the referenced Secret)" : ""));
    }
  }

  private String firstSet(String first, String second, String fallback) {
    for (String name : new String[] {first, second}) {
      String value = env.get(name);
      if (value != null && !value.isBlank()) {
        return value;
      }
    }
    return fallback;
  }
}
