package dev.flywheel.model.data;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The CSV files one dataset URI names: the file itself, or — for a URI that ends in '/' (a path, file:// or
 * s3://bucket/prefix/) — every .csv shard directly in that directory, sorted by name in UTF-8 byte order; hidden
 * files, other files (such as a capture shard still being written, .csv.tmp) and subdirectories are left out.
 */
final class DatasetShards {
  /** One file of a dataset: its name in the directory (or the URI of a single-file dataset) and a local copy. */
  record Shard(String name, Path file) {}

  /** Names compared as UTF-8 bytes, as the bundle digest sorts paths. */
  static final Comparator<String> BY_NAME = (a, b) -> Arrays.compareUnsigned(a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));

  private DatasetShards() {}

  /** A URI that ends in '/' names a directory of shards. */
  static boolean isDirectory(String uri) {
    return uri.endsWith("/");
  }

  /** A file a directory dataset reads: ends in .csv, not hidden, not in a subdirectory. */
  static boolean isShardName(String name) {
    return name.endsWith(".csv") && !name.startsWith(".") && !name.contains("/");
  }

  /** The dataset's files, fetched to local paths (s3 objects and https files are downloaded into scratch). */
  static List<Shard> of(String uri, Path scratch, Map<String, String> env) throws IOException {
    if (!isDirectory(uri)) {
      return List.of(new Shard(uri, DataSource.fetch(uri, scratch, env)));
    }
    if (uri.startsWith("s3://")) {
      return s3(uri, scratch, env);
    }
    if (uri.startsWith("pvc://")) {
      throw new DataError("pvc:// URIs are mounted by the operator; pass the mounted path instead of " + uri);
    }
    if (!uri.startsWith("file://") && DataSource.URI_SCHEME.matcher(uri).matches()) {
      throw new DataError("a dataset directory must be a path, file:// or s3://bucket/prefix/, not " + uri);
    }
    Path directory = uri.startsWith("file://") ? Path.of(URI.create(uri)) : Path.of(uri);
    if (!Files.isDirectory(directory)) {
      throw new DataError("dataset directory not found: " + uri);
    }
    List<Shard> shards = new ArrayList<>();
    try (Stream<Path> entries = Files.list(directory)) {
      for (Path entry : entries.toList()) {
        String name = entry.getFileName().toString();
        if (isShardName(name) && Files.isRegularFile(entry)) {
          shards.add(new Shard(name, entry));
        }
      }
    }
    shards.sort(Comparator.comparing(Shard::name, BY_NAME));
    return shards;
  }

  private static List<Shard> s3(String uri, Path scratch, Map<String, String> env) throws IOException {
    S3Client.Location where = S3Client.Location.parse(uri);
    S3Client s3 = new S3Client(env);
    List<String> names = new ArrayList<>();
    for (String key : s3.list(where.bucket(), where.key())) {
      String name = key.substring(where.key().length());
      if (isShardName(name)) {
        names.add(name);
      }
    }
    names.sort(BY_NAME);
    Path local = Files.createTempDirectory(Files.createDirectories(scratch), "shards-");
    List<Shard> shards = new ArrayList<>();
    for (String name : names) {
      Path file = local.resolve(name);
      s3.get(new S3Client.Location(where.bucket(), where.key() + name), file);
      shards.add(new Shard(name, file));
    }
    return shards;
  }
}
