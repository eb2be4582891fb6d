package dev.flywheel.model.data;

import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;

/**
 * The data train and validate read: one or more dataset URIs, each a CSV file or a directory of CSV shards with
 * one header ({@link DatasetShards}), put together in the order given into one table, and its digest.
 *
 * <p>Digest: a single file is {@code sha256:} + the sha256 of its bytes. Anything else (a directory, several
 * datasets) is {@code sha256:} + the sha256 of a listing with one line per shard, in reading order:
 * {@code <sha256 of the shard's bytes>  <position of its dataset, from 0>/<shard name>\n} ({@code <position>} alone
 * for a single-file dataset). Adding, removing, renaming or changing a shard changes it; where the data lives does not.
 */
public final class Dataset {
  /** What was read: the table, its digest and how many files it came from. */
  public record Read(CsvTable table, String digest, int shards) {}

  private static final String PREFIX = "sha256:";

  /** One dataset URI read: its header (of its first shard), rows, and which shard each row came from. */
  private record Part(String uri, List<String> header, List<String[]> rows, List<CsvTable.Part> parts) {}

  private Dataset() {}

  /**
   * Reads the datasets; columns are the columns the command uses (label and features), or null for every column of
   * the first dataset. Several datasets are put together by column name: each must have those columns (without
   * columns given: exactly the first dataset's columns, in any order).
   */
  public static Read read(List<String> uris, List<String> columns, Path scratch) throws IOException {
    return read(uris, columns, scratch, System.getenv());
  }

  /** The same, with the environment given (tests). */
  static Read read(List<String> uris, List<String> columns, Path scratch, Map<String, String> env) throws IOException {
    if (uris.isEmpty()) {
      throw new DataError("no dataset given");
    }
    if (uris.size() == 1 && !DatasetShards.isDirectory(uris.get(0))) {
      return file(DataSource.fetch(uris.get(0), scratch, env));
    }
    StringBuilder listing = new StringBuilder();
    List<Part> datasets = new ArrayList<>();
    int shardCount = 0;
    for (int i = 0; i < uris.size(); i++) {
      String uri = uris.get(i);
      boolean directory = DatasetShards.isDirectory(uri);
      List<DatasetShards.Shard> shards = DatasetShards.of(uri, scratch, env);
      if (shards.isEmpty() && uris.size() == 1) {
        throw new DataError("no .csv shards in dataset directory " + uri);
      }
      List<String> header = null;
      String firstShard = null;
      List<String[]> rows = new ArrayList<>();
      List<CsvTable.Part> parts = new ArrayList<>();
      for (DatasetShards.Shard shard : shards) {
        String shown = directory ? uri + shard.name() : uri;
        Hashed hashed = hash(shard.file(), shown);
        if (header == null) {
          header = hashed.table().header();
          firstShard = shard.name();
        } else if (!header.equals(hashed.table().header())) {
          throw new DataError("shard " + shard.name() + " of " + uri + " has the columns " + hashed.table().header() + " but "
              + firstShard + " has " + header + ": every shard of a directory needs the same header");
        }
        parts.add(new CsvTable.Part(shown, rows.size()));
        rows.addAll(hashed.table().rows());
        listing.append(hashed.hex()).append("  ").append(i).append(directory ? "/" + shard.name() : "").append('\n');
        shardCount++;
      }
      if (header != null) {
        datasets.add(new Part(uri, header, rows, parts));
      }
    }
    CsvTable table = datasets.size() == 1
        ? new CsvTable(datasets.get(0).header(), datasets.get(0).rows(), datasets.get(0).parts())
        : together(datasets, columns);
    if (table.rows().isEmpty()) {
      throw new DataError(CsvTable.NO_ROWS);
    }
    return new Read(table, PREFIX + hex(sha256().digest(listing.toString().getBytes(StandardCharsets.UTF_8))), shardCount);
  }

  /** One local CSV file; its digest is the sha256 of its bytes. */
  public static Read file(Path csv) throws IOException {
    Hashed hashed = hash(csv, null);
    return new Read(hashed.table(), PREFIX + hashed.hex(), 1);
  }

  /** One file's table and the sha256 of its bytes. */
  private record Hashed(CsvTable table, String hex) {}

  /** Reads a file and hashes its bytes; shown names the shard in messages (null: a single file, no name needed). */
  private static Hashed hash(Path file, String shown) throws IOException {
    try (DigestInputStream in = new DigestInputStream(Files.newInputStream(file), sha256())) {
      CsvTable table;
      try {
        table = CsvTable.read(new InputStreamReader(in, StandardCharsets.UTF_8), shown == null);
      } catch (DataError e) {
        throw shown == null ? e : new DataError(shown + ": " + e.getMessage());
      }
      in.readAllBytes();
      return new Hashed(table, hex(in.getMessageDigest().digest()));
    }
  }

  /** Several datasets as one table, matched by column name. */
  private static CsvTable together(List<Part> datasets, List<String> columns) {
    if (datasets.isEmpty()) {
      throw new DataError("no .csv shards in any of the dataset directories");
    }
    Part first = datasets.get(0);
    List<String> wanted = columns == null ? first.header() : List.copyOf(new LinkedHashSet<>(columns));
    List<String[]> rows = new ArrayList<>();
    List<CsvTable.Part> parts = new ArrayList<>();
    for (Part dataset : datasets) {
      if (columns == null && !new LinkedHashSet<>(dataset.header()).equals(new LinkedHashSet<>(wanted))) {
        throw new DataError("dataset " + dataset.uri() + " has the columns " + dataset.header() + " but " + first.uri() + " has "
            + wanted + ": datasets read together need the same columns, in any order (or name the features with --features)");
      }
      int[] index = new int[wanted.size()];
      for (int c = 0; c < index.length; c++) {
        index[c] = dataset.header().indexOf(wanted.get(c));
        if (index[c] < 0) {
          throw new DataError("dataset " + dataset.uri() + " has no column '" + wanted.get(c) + "' (columns: "
              + String.join(", ", dataset.header()) + ")");
        }
      }
      for (CsvTable.Part part : dataset.parts()) {
        parts.add(new CsvTable.Part(part.name(), rows.size() + part.firstRow()));
      }
      boolean same = dataset.header().equals(wanted);
      for (String[] row : dataset.rows()) {
        if (same) {
          rows.add(row);
        } else {
          String[] picked = new String[index.length];
          for (int c = 0; c < index.length; c++) {
            picked[c] = row[index[c]];
          }
          rows.add(picked);
        }
      }
    }
    return new CsvTable(wanted, rows, parts);
  }

  private static String hex(byte[] bytes) {
    return HexFormat.of().formatHex(bytes);
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
