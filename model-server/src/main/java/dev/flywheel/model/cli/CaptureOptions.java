package dev.flywheel.model.cli;

import dev.flywheel.model.data.DataError;
import dev.flywheel.model.serve.capture.CaptureSettings;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;

/** The serve command's --capture-* options: where and how to capture labelled production traffic for retraining. */
final class CaptureOptions {
  static final String URI_OPTION = "capture-uri";
  static final Set<String> NAMES = Set.of(URI_OPTION, "capture-sample-rate", "capture-max-pending", "capture-max-rows-per-shard",
      "capture-max-shard-age");
  static final String USAGE = "[--capture-uri <dir> [--capture-sample-rate 1.0] [--capture-max-pending 10000]"
      + " [--capture-max-rows-per-shard 100000] [--capture-max-shard-age 15m]]";
  /** Feedback joins labels to the most recent 100,000 requests, so more rows than that could never be labelled. */
  static final int MAX_PENDING = 100_000;

  private CaptureOptions() {}

  /** The capture settings; empty without --capture-uri. Refuses the other options without it, and non-local places. */
  static Optional<CaptureSettings> parse(Options o) {
    if (!o.has(URI_OPTION)) {
      for (String name : NAMES) {
        if (o.has(name)) {
          throw new UsageException("serve: --" + name + " needs --" + URI_OPTION);
        }
      }
      return Optional.empty();
    }
    CaptureSettings defaults = CaptureSettings.defaults(directory(o.get(URI_OPTION, "")));
    Duration age = o.duration("capture-max-shard-age", defaults.maxShardAge());
    if (age.isZero() || age.isNegative()) {
      throw new UsageException("serve: --capture-max-shard-age must be longer than 0");
    }
    return Optional.of(defaults
        .withSampleRate(o.doubleValue("capture-sample-rate", defaults.sampleRate(), 0, 1))
        .withLimits(o.intValue("capture-max-pending", defaults.maxPending(), 1, MAX_PENDING),
            o.intValue("capture-max-rows-per-shard", defaults.maxRowsPerShard(), 1, 100_000_000), age));
  }

  /** Why capture could not start, in words: the JDK's file exceptions carry only the path. */
  static String reason(Exception e) {
    if (e instanceof java.nio.file.FileAlreadyExistsException || e instanceof java.nio.file.NotDirectoryException) {
      return "a file that is not a directory is in the way (" + e.getMessage() + ")";
    }
    if (e instanceof java.nio.file.AccessDeniedException) {
      return "permission denied (" + e.getMessage() + ")";
    }
    if (e instanceof java.nio.file.FileSystemException f && f.getReason() != null) {
      return f.getReason() + " (" + f.getFile() + ")";
    }
    return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
  }

  private static Path directory(String uri) {
    if (uri.startsWith("s3://")) {
      throw new UsageException("serve: --capture-uri " + uri + " is not supported: capture writes to a local directory for now"
          + " (mount a volume, such as a PersistentVolumeClaim, and give its path)");
    }
    if (uri.startsWith("pvc://")) {
      throw new UsageException("serve: --capture-uri: pvc:// volumes are mounted by the operator; give the mounted path instead of " + uri);
    }
    try {
      if (uri.startsWith("file://")) {
        return Path.of(URI.create(uri));
      }
      if (uri.isBlank() || uri.matches("^[a-zA-Z][a-zA-Z0-9+.-]*://.*")) {
        throw new DataError("a local directory (a path or file://) is needed");
      }
      return Path.of(uri);
    } catch (IllegalArgumentException | DataError e) {
      throw new UsageException("serve: --capture-uri '" + uri + "': " + e.getMessage());
    }
  }
}
