package dev.flywheel.sandbox.node;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Where a container's paths are on this machine. Each volume mount's path maps to a folder under the node's work dir:
 * a PersistentVolumeClaim to {@code <workDir>/volumes/<namespace>/<claim>} (shared by every pod that mounts it), an
 * emptyDir (and any other volume kind) to {@code <workDir>/pods/<namespace>/<pod>/volumes/<volume>} (the pod's own), a
 * hostPath to itself; a subPath goes below it. The terminationMessagePath maps to {@code <pod dir>/<container>.termination-log}.
 * {@link #rewrite} turns a value that starts with a mounted path (or is {@code file://} of one) into the local path.
 */
final class LocalPaths {
  private final Path podDir;
  private final Map<String, Path> mounts = new LinkedHashMap<>();
  private final String terminationMessagePath;
  private final Path terminationLog;

  private LocalPaths(Path podDir, String terminationMessagePath, Path terminationLog) {
    this.podDir = podDir;
    this.terminationMessagePath = terminationMessagePath;
    this.terminationLog = terminationLog;
  }

  /** The folders of one container of a pod, created. */
  static LocalPaths of(Path workDir, Pod pod, Container container) {
    String namespace = pod.getMetadata().getNamespace();
    Path podDir = workDir.resolve("pods").resolve(namespace).resolve(pod.getMetadata().getName());
    String terminationPath = container.getTerminationMessagePath() == null ? "/dev/termination-log" : container.getTerminationMessagePath();
    LocalPaths paths = new LocalPaths(podDir, terminationPath, podDir.resolve(container.getName() + ".termination-log"));
    Map<String, Volume> volumes = new LinkedHashMap<>();
    if (pod.getSpec().getVolumes() != null) {
      pod.getSpec().getVolumes().forEach(volume -> volumes.put(volume.getName(), volume));
    }
    if (container.getVolumeMounts() != null) {
      for (VolumeMount mount : container.getVolumeMounts()) {
        Path folder = folder(workDir, podDir, namespace, volumes.get(mount.getName()), mount.getName());
        if (mount.getSubPath() != null && !mount.getSubPath().isEmpty()) {
          folder = folder.resolve(mount.getSubPath());
        }
        paths.mounts.put(trimSlash(mount.getMountPath()), folder);
      }
    }
    try {
      Files.createDirectories(podDir);
      for (Path folder : paths.mounts.values()) {
        Files.createDirectories(folder);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return paths;
  }

  private static Path folder(Path workDir, Path podDir, String namespace, Volume volume, String name) {
    if (volume != null && volume.getPersistentVolumeClaim() != null) {
      return workDir.resolve("volumes").resolve(namespace).resolve(volume.getPersistentVolumeClaim().getClaimName());
    }
    if (volume != null && volume.getHostPath() != null) {
      return Path.of(volume.getHostPath().getPath());
    }
    return podDir.resolve("volumes").resolve(name);
  }

  Path podDir() {
    return podDir;
  }

  Path terminationLog() {
    return terminationLog;
  }

  /** The local folder of a container path, if a volume is mounted there or above it. */
  Optional<Path> local(String containerPath) {
    return Optional.ofNullable(rewritePath(containerPath)).map(Path::of);
  }

  /** The value with a leading mounted path (plain, {@code file://}, or after {@code --flag=}) made local; else unchanged. */
  String rewrite(String value) {
    if (value == null) {
      return null;
    }
    int equals = value.startsWith("--") ? value.indexOf('=') : -1;
    if (equals > 0) {
      return value.substring(0, equals + 1) + rewrite(value.substring(equals + 1));
    }
    if (value.startsWith("file://")) {
      String local = rewritePath(value.substring("file://".length()));
      return local == null ? value : Path.of(local).toUri().toString();
    }
    String local = rewritePath(value);
    return local == null ? value : local;
  }

  private String rewritePath(String path) {
    if (path.equals(terminationMessagePath)) {
      return terminationLog.toString();
    }
    return mounts.entrySet().stream()
        .sorted(Comparator.comparingInt((Map.Entry<String, Path> e) -> e.getKey().length()).reversed())
        .filter(e -> path.equals(e.getKey()) || path.startsWith(e.getKey().isEmpty() ? "/" : e.getKey() + "/"))
        .findFirst()
        .map(e -> {
          String rest = path.substring(e.getKey().length());
          String local = e.getValue().toString() + rest;
          return path.endsWith("/") && !local.endsWith("/") ? local + "/" : local;
        })
        .orElse(null);
  }

  private static String trimSlash(String path) {
    return path.length() > 1 && path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
  }
}
