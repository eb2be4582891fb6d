package dev.flywheel.model.bundle;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;

/**
 * The digest of a model bundle directory, computed over a canonical listing of its files.
 *
 * <p>The listing has one line per regular file, except the digest file {@value #DIGEST_FILE} itself:
 * {@code <sha256 of the file's bytes, 64 lower-case hex> <two spaces> <path relative to the bundle, '/'-separated>\n},
 * lines sorted by path (UTF-8 byte order). This is exactly {@code find . -type f ! -name flywheel-model.sha256 |
 * sort | xargs sha256sum} with the leading "./" removed. The bundle digest is {@code sha256:} followed by the
 * sha256 of that listing. File times, owners and modes do not count; names and bytes do. A bundle with a
 * symbolic link or any other non-regular file is refused.
 */
public final class BundleDigest {
  /** The file in a bundle that records its digest; not part of the listing. */
  public static final String DIGEST_FILE = "flywheel-model.sha256";
  public static final String PREFIX = "sha256:";

  private BundleDigest() {}

  /** Computes the digest of the bundle directory. */
  public static String of(Path bundle) throws IOException {
    return PREFIX + sha256Hex(listing(bundle).getBytes(StandardCharsets.UTF_8));
  }

  /** The canonical listing the digest is computed over. */
  public static String listing(Path bundle) throws IOException {
    if (!Files.isDirectory(bundle, LinkOption.NOFOLLOW_LINKS)) {
      throw new InvalidBundleException("bundle " + bundle + " is not a directory");
    }
    List<String> paths = new ArrayList<>();
    try (Stream<Path> walk = Files.walk(bundle)) {
      for (Path file : (Iterable<Path>) walk::iterator) {
        if (file.equals(bundle) || Files.isDirectory(file, LinkOption.NOFOLLOW_LINKS)) {
          continue;
        }
        String relative = bundle.relativize(file).toString().replace(file.getFileSystem().getSeparator(), "/");
        if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
          throw new InvalidBundleException("bundle file " + relative + " is not a regular file (links are not allowed)");
        }
        if (!relative.equals(DIGEST_FILE)) {
          paths.add(relative);
        }
      }
    }
    paths.sort((a, b) -> compareUtf8(a, b));
    StringBuilder listing = new StringBuilder();
    for (String relative : paths) {
      listing.append(fileSha256(bundle.resolve(relative))).append("  ").append(relative).append('\n');
    }
    return listing.toString();
  }

  /** Computes the digest and writes it to the bundle's digest file; returns it. */
  public static String write(Path bundle) throws IOException {
    String digest = of(bundle);
    Files.writeString(bundle.resolve(DIGEST_FILE), digest + "\n", StandardCharsets.UTF_8);
    return digest;
  }

  /**
   * Checks the bundle against the expected digest, or, when none is given, against its own digest file.
   * Returns the digest; throws InvalidBundleException naming both digests when they differ.
   */
  public static String verify(Path bundle, String expected) throws IOException {
    String want = expected;
    if (want == null || want.isBlank()) {
      Path recorded = bundle.resolve(DIGEST_FILE);
      if (!Files.isRegularFile(recorded, LinkOption.NOFOLLOW_LINKS)) {
        throw new InvalidBundleException("bundle " + bundle + " has no " + DIGEST_FILE + " and no expected digest was given");
      }
      want = Files.readString(recorded, StandardCharsets.UTF_8).trim();
    }
    String actual = of(bundle);
    if (!actual.equals(want)) {
      throw new InvalidBundleException("bundle digest mismatch: expected " + want + ", found " + actual);
    }
    return actual;
  }

  private static String fileSha256(Path file) throws IOException {
    MessageDigest digest = newSha256();
    byte[] buffer = new byte[1 << 16];
    try (InputStream in = Files.newInputStream(file)) {
      for (int n; (n = in.read(buffer)) > 0; ) {
        digest.update(buffer, 0, n);
      }
    }
    return HexFormat.of().formatHex(digest.digest());
  }

  static String sha256Hex(byte[] bytes) {
    return HexFormat.of().formatHex(newSha256().digest(bytes));
  }

  private static int compareUtf8(String a, String b) {
    return java.util.Arrays.compareUnsigned(a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));
  }

  private static MessageDigest newSha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JVM lacks SHA-256", e);
    }
  }
}
