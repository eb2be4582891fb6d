package dev.flywheel.model.data;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Finds a model bundle directory: a path or file:// URI as it is; s3://bucket/prefix downloaded (every object under
 * the prefix) into a scratch directory first. The caller verifies the digest before reading anything in it.
 */
public final class BundleSource {
  private BundleSource() {}

  public static Path fetch(String location, Path scratch) throws IOException {
    return fetch(location, scratch, System.getenv());
  }

  static Path fetch(String location, Path scratch, Map<String, String> env) throws IOException {
    if (location.startsWith("file://")) {
      return Path.of(URI.create(location));
    }
    if (!location.startsWith("s3://")) {
      if (DataSource.URI_SCHEME.matcher(location).matches()) {
        throw new DataError("bundles are read from paths, file:// or s3:// locations, not " + location);
      }
      return Path.of(location);
    }
    S3Client.Location where = S3Client.Location.parse(location);
    String prefix = where.key().isEmpty() || where.key().endsWith("/") ? where.key() : where.key() + "/";
    S3Client s3 = new S3Client(env);
    List<String> keys = s3.list(where.bucket(), prefix);
    if (keys.isEmpty()) {
      throw new DataError("no bundle at " + location + ": no objects under that prefix");
    }
    Path bundle = Files.createTempDirectory(Files.createDirectories(scratch), "bundle-");
    for (String key : keys) {
      String relative = key.substring(prefix.length());
      Path file = bundle.resolve(relative).normalize();
      if (relative.isEmpty() || relative.endsWith("/")) {
        continue;
      }
      if (!file.startsWith(bundle)) {
        throw new DataError("bundle object " + key + " would land outside the bundle directory");
      }
      s3.get(new S3Client.Location(where.bucket(), key), file);
    }
    return bundle;
  }
}
