package dev.flywheel.crds.validation;

import java.nio.file.Files;
import java.nio.file.Path;

/** Finds the repository's folders from a module's tests (Surefire sets repository.root). */
public final class RepoPaths {
  private RepoPaths() {}

  /** The repository root: the folder holding helm/flywheel. */
  public static Path root() {
    String configured = System.getProperty("repository.root");
    Path start = configured != null ? Path.of(configured) : Path.of("").toAbsolutePath();
    for (Path dir = start.toAbsolutePath().normalize(); dir != null; dir = dir.getParent()) {
      if (Files.isDirectory(dir.resolve("helm/flywheel"))) {
        return dir;
      }
    }
    throw new IllegalStateException("cannot find the repository root (a folder with helm/flywheel) from " + start);
  }

  /** The CRD YAML that the Helm chart installs. */
  public static Path chartCrds() {
    return root().resolve("helm/flywheel/crds");
  }

  /** The examples users copy. */
  public static Path examples() {
    return root().resolve("examples");
  }
}
