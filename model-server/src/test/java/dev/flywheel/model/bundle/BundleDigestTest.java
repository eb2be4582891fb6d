package dev.flywheel.model.bundle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The bundle digest: stable for the same names and bytes, different for any change, and checkable by hand. */
class BundleDigestTest {
  @TempDir Path tmp;

  private Path bundle(String name, String weights, String metadata) throws Exception {
    Path dir = Files.createDirectories(tmp.resolve(name));
    Files.writeString(dir.resolve("flywheel-model.json"), metadata);
    Files.createDirectories(dir.resolve("weights"));
    Files.writeString(dir.resolve("weights/model-0000.params"), weights);
    return dir;
  }

  @Test
  void sameNamesAndBytesGiveTheSameDigestWhateverTheFileTimes() throws Exception {
    Path a = bundle("a", "w1", "{}");
    Path b = bundle("b", "w1", "{}");
    Files.setLastModifiedTime(b.resolve("flywheel-model.json"), java.nio.file.attribute.FileTime.from(1, TimeUnit.DAYS));
    assertThat(BundleDigest.of(a)).isEqualTo(BundleDigest.of(b)).matches("sha256:[0-9a-f]{64}");
  }

  @Test
  void anyChangeOfBytesOrNamesChangesTheDigest() throws Exception {
    String original = BundleDigest.of(bundle("a", "w1", "{}"));
    assertThat(BundleDigest.of(bundle("b", "w2", "{}"))).isNotEqualTo(original);
    Path renamed = bundle("c", "w1", "{}");
    Files.move(renamed.resolve("weights/model-0000.params"), renamed.resolve("weights/model-0001.params"));
    assertThat(BundleDigest.of(renamed)).isNotEqualTo(original);
    Path extra = bundle("d", "w1", "{}");
    Files.writeString(extra.resolve("notes.txt"), "");
    assertThat(BundleDigest.of(extra)).isNotEqualTo(original);
  }

  @Test
  void listingIsSha256sumOutputSortedByPath() throws Exception {
    Path dir = bundle("a", "w1", "{}");
    assertThat(BundleDigest.listing(dir)).isEqualTo(
        BundleDigest.sha256Hex("{}".getBytes(StandardCharsets.UTF_8)) + "  flywheel-model.json\n"
            + BundleDigest.sha256Hex("w1".getBytes(StandardCharsets.UTF_8)) + "  weights/model-0000.params\n");
    assertThat(BundleDigest.of(dir)).isEqualTo("sha256:" + BundleDigest.sha256Hex(BundleDigest.listing(dir).getBytes(StandardCharsets.UTF_8)));
  }

  @Test
  void writtenDigestVerifiesAndTamperingIsRefused() throws Exception {
    Path dir = bundle("a", "w1", "{}");
    String digest = BundleDigest.write(dir);
    assertThat(BundleDigest.of(dir)).as("the digest file is not part of the listing").isEqualTo(digest);
    assertThat(BundleDigest.verify(dir, null)).isEqualTo(digest);
    assertThat(BundleDigest.verify(dir, digest)).isEqualTo(digest);

    Files.writeString(dir.resolve("weights/model-0000.params"), "tampered");
    assertThatThrownBy(() -> BundleDigest.verify(dir, null))
        .isInstanceOf(InvalidBundleException.class)
        .hasMessageStartingWith("bundle digest mismatch: expected " + digest + ", found sha256:");
    assertThatThrownBy(() -> BundleDigest.verify(dir, digest)).isInstanceOf(InvalidBundleException.class);
  }

  @Test
  void linksAndMissingDigestsAreRefused() throws Exception {
    Path dir = bundle("a", "w1", "{}");
    assertThatThrownBy(() -> BundleDigest.verify(dir, null)).hasMessageContaining("has no flywheel-model.sha256");
    Files.createSymbolicLink(dir.resolve("escape"), Path.of("/etc/hostname"));
    assertThatThrownBy(() -> BundleDigest.of(dir))
        .isInstanceOf(InvalidBundleException.class)
        .hasMessageContaining("escape is not a regular file");
    assertThatThrownBy(() -> BundleDigest.of(tmp.resolve("absent"))).hasMessageContaining("is not a directory");
  }
}
