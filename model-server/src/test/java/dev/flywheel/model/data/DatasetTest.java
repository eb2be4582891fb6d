package dev.flywheel.model.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Dataset directories of CSV shards and several datasets read together: order, header checks, the digest. */
class DatasetTest {
  private static final String HEADER = "a,b,y\n";
  @TempDir Path tmp;

  private Path shard(Path dir, String name, String content) throws Exception {
    Files.createDirectories(dir);
    return Files.writeString(dir.resolve(name), content);
  }

  private Dataset.Read read(String... uris) throws Exception {
    return Dataset.read(List.of(uris), null, tmp.resolve("scratch"), Map.of());
  }

  private static List<String> firstColumn(Dataset.Read read) {
    return read.table().rows().stream().map(r -> r[0]).toList();
  }

  @Test
  void aDirectoryIsEveryCsvShardInItSortedByNameLeavingOutHiddenTemporaryAndOtherFiles() throws Exception {
    Path dir = tmp.resolve("shards");
    shard(dir, "part-b.csv", HEADER + "3,x,yes\n4,x,no\n");
    shard(dir, "part-a.csv", HEADER + "1,x,yes\n2,x,no\n");
    shard(dir, "part-c.csv", HEADER);
    shard(dir, ".part-0.csv", HEADER + "hidden,x,yes\n");
    shard(dir, "part-d.csv.tmp", HEADER + "half,x");
    shard(dir, "README.md", "not data");
    shard(dir.resolve("nested.csv"), "part-e.csv", HEADER + "nested,x,yes\n");

    Dataset.Read read = read(dir + "/");
    assertThat(read.table().header()).containsExactly("a", "b", "y");
    assertThat(firstColumn(read)).containsExactly("1", "2", "3", "4");
    assertThat(read.shards()).as("a header-only shard counts, adds no rows").isEqualTo(3);
    assertThat(Dataset.read(List.of("file://" + dir + "/"), null, tmp, Map.of()).digest()).as("file:// and a path are the same")
        .isEqualTo(read.digest());
  }

  @Test
  void theDigestCoversTheListingSoAddingRemovingOrChangingAShardChangesIt() throws Exception {
    Path dir = tmp.resolve("shards");
    shard(dir, "1.csv", HEADER + "1,x,yes\n");
    shard(dir, "2.csv", HEADER + "2,x,no\n");
    String two = read(dir + "/").digest();
    assertThat(two).matches("sha256:[0-9a-f]{64}");

    Path copy = tmp.resolve("elsewhere");
    shard(copy, "1.csv", HEADER + "1,x,yes\n");
    shard(copy, "2.csv", HEADER + "2,x,no\n");
    shard(copy, ".ignored.csv", HEADER + "9,x,no\n");
    assertThat(read(copy + "/").digest()).as("same shards, another place: same digest").isEqualTo(two);

    shard(dir, "3.csv", HEADER + "3,x,yes\n");
    String three = read(dir + "/").digest();
    assertThat(three).as("a shard added").isNotEqualTo(two);
    Files.writeString(dir.resolve("3.csv"), HEADER + "3,x,no\n");
    assertThat(read(dir + "/").digest()).as("a shard changed").isNotEqualTo(three).isNotEqualTo(two);
    Files.delete(dir.resolve("3.csv"));
    assertThat(read(dir + "/").digest()).as("back to the same shards").isEqualTo(two);
    Files.move(dir.resolve("2.csv"), dir.resolve("0.csv"));
    assertThat(read(dir + "/").digest()).as("a shard renamed").isNotEqualTo(two);
  }

  @Test
  void aShardWhoseHeaderDiffersIsRefusedByName() throws Exception {
    Path dir = tmp.resolve("shards");
    shard(dir, "a.csv", HEADER + "1,x,yes\n");
    shard(dir, "b.csv", "a,y,b\n2,no,x\n");
    assertThatThrownBy(() -> read(dir + "/")).isInstanceOf(DataError.class)
        .hasMessage("shard b.csv of " + dir + "/ has the columns [a, y, b] but a.csv has [a, b, y]: every shard of a directory needs the same header");
  }

  @Test
  void badRowsAreNamedByShardAndLine() throws Exception {
    Path dir = tmp.resolve("shards");
    shard(dir, "a.csv", HEADER + "1,x,yes\n".repeat(10));
    shard(dir, "b.csv", HEADER + "2,x,no\n3,x\n");
    assertThatThrownBy(() -> read(dir + "/")).isInstanceOf(DataError.class)
        .hasMessage(dir + "/b.csv: line 3 has 2 fields, the header has 3");
    Files.writeString(dir.resolve("b.csv"), HEADER + "2,x,no\nthree,x,no\n");
    CsvTable table = read(dir + "/").table();
    assertThatThrownBy(() -> TabularData.from(table, "y", null, Task.binaryClassification))
        .hasMessage("column 'a' is numeric, but line 3 of " + dir + "/b.csv has 'three'");
  }

  @Test
  void directoriesThatAreMissingEmptyOrWithoutTheSlashAreRefusedWithAReason() throws Exception {
    Path dir = Files.createDirectories(tmp.resolve("empty"));
    assertThatThrownBy(() -> read(dir + "/")).hasMessage("no .csv shards in dataset directory " + dir + "/");
    assertThatThrownBy(() -> read(tmp.resolve("absent") + "/")).hasMessage("dataset directory not found: " + tmp.resolve("absent") + "/");
    assertThatThrownBy(() -> read(dir.toString()))
        .hasMessage("dataset " + dir + " is a directory: end the URI with '/' to read every .csv shard in it");
    assertThatThrownBy(() -> read("https://example.invalid/data/")).hasMessageStartingWith("a dataset directory must be a path, file:// or s3://");
    shard(dir, "only-header.csv", HEADER);
    assertThatThrownBy(() -> read(dir + "/")).hasMessage("dataset has a header row but no data rows");
  }

  @Test
  void severalDatasetsAreReadInOrderMatchedByColumnName() throws Exception {
    Path base = shard(tmp, "base.csv", HEADER + "1,x,yes\n2,x,no\n");
    Path capture = tmp.resolve("capture");
    shard(capture, "c-1.csv", "b,a,y\nz,10,no\n");
    Path empty = Files.createDirectories(tmp.resolve("no-shards-yet"));

    Dataset.Read both = read(base.toString(), capture + "/", empty + "/");
    assertThat(both.table().header()).containsExactly("a", "b", "y");
    assertThat(both.table().rows()).extracting(Arrays::toString).containsExactly("[1, x, yes]", "[2, x, no]", "[10, z, no]");
    assertThat(both.table().where(2)).isEqualTo("line 2 of " + capture + "/c-1.csv");
    assertThat(both.table().where(1)).isEqualTo("line 3 of " + base);
    assertThat(both.shards()).isEqualTo(2);
    assertThat(both.digest()).isNotEqualTo(read(base.toString()).digest())
        .isNotEqualTo(read(capture + "/", base.toString()).digest())
        .isEqualTo(read(base.toString(), capture + "/").digest());

    shard(capture, "c-2.csv", "b,a,y\nw,11,yes\n");
    assertThat(read(base.toString(), capture + "/").digest()).as("a shard added to the capture").isNotEqualTo(both.digest());

    shard(capture, "c-3.csv", "b,a,y,extra\nw,11,yes,1\n");
    assertThatThrownBy(() -> read(base.toString(), capture + "/"))
        .hasMessageStartingWith("shard c-3.csv of " + capture + "/ has the columns [b, a, y, extra]");
    Files.delete(capture.resolve("c-3.csv"));
    Path wider = shard(tmp.resolve("wider"), "w.csv", "a,b,y,id\n5,x,yes,17\n");
    assertThatThrownBy(() -> read(base.toString(), wider.toString()))
        .hasMessage("dataset " + wider + " has the columns [a, b, y, id] but " + base + " has [a, b, y]: datasets read together need the same"
            + " columns, in any order (or name the features with --features)");
    Dataset.Read named = Dataset.read(List.of(wider.toString(), base.toString()), List.of("b", "a", "y"), tmp, Map.of());
    assertThat(named.table().header()).as("with the columns named, extra columns are left out").containsExactly("b", "a", "y");
    assertThat(named.table().rows()).extracting(Arrays::toString).containsExactly("[x, 5, yes]", "[x, 1, yes]", "[x, 2, no]");
    assertThatThrownBy(() -> Dataset.read(List.of(base.toString(), wider.toString()), List.of("a", "id", "y"), tmp, Map.of()))
        .hasMessage("dataset " + base + " has no column 'id' (columns: a, b, y)");
  }

  @Test
  void aSingleFileKeepsItsDigestTheSha256OfItsBytes() throws Exception {
    Path base = shard(tmp, "base.csv", HEADER + "1,x,yes\n");
    java.security.MessageDigest sha = java.security.MessageDigest.getInstance("SHA-256");
    assertThat(read(base.toString()).digest()).isEqualTo("sha256:" + java.util.HexFormat.of().formatHex(sha.digest(Files.readAllBytes(base))));
    assertThat(read(base.toString()).table().where(0)).isEqualTo("line 2");
  }
}
