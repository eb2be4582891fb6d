package dev.flywheel.sandbox.operator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The JVM flags the operator runs with in a cluster, read from the checkout so they cannot drift from it: the java
 * flags of images/operator/Containerfile's ENTRYPOINT, the chart's default memory limit (helm/flywheel/values.yaml)
 * as -XX:MaxRAM (what the container's cgroup tells the JVM), and the collector the JVM picks under 1,792 MB (serial)
 * unless the image names one.
 */
public final class ImageJvmOptions {
  private ImageJvmOptions() {}

  public static List<String> of(Path repository) {
    try {
      List<String> options = new ArrayList<>();
      options.add("-XX:MaxRAM=" + megabytes(new YAMLMapper().readTree(repository.resolve("helm/flywheel/values.yaml").toFile())
          .path("resources").path("limits").path("memory").asText()) + "m");
      List<String> entrypoint = entrypointJavaFlags(repository.resolve("images/operator/Containerfile"));
      if (entrypoint.stream().noneMatch(flag -> flag.matches("-XX:\\+Use\\w+GC"))) {
        options.add("-XX:+UseSerialGC");
      }
      options.addAll(entrypoint);
      return options;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the operator image's JVM flags: " + e.getMessage(), e);
    }
  }

  /** The flags between "java" and "-jar" of the Containerfile's exec-form ENTRYPOINT. */
  static List<String> entrypointJavaFlags(Path containerfile) throws IOException {
    String line = Files.readAllLines(containerfile).stream().filter(l -> l.startsWith("ENTRYPOINT")).findFirst()
        .orElseThrow(() -> new IOException(containerfile + " has no ENTRYPOINT"));
    JsonNode command = new ObjectMapper().readTree(line.substring("ENTRYPOINT".length()).trim());
    List<String> flags = new ArrayList<>();
    for (int i = 1; i < command.size() && !command.get(i).asText().equals("-jar"); i++) {
      flags.add(command.get(i).asText());
    }
    return flags;
  }

  /** 512Mi → 512, 1Gi → 1024 (the chart's units). */
  static long megabytes(String quantity) throws IOException {
    String value = quantity.trim().toLowerCase(Locale.ROOT);
    if (value.endsWith("mi")) {
      return Long.parseLong(value.substring(0, value.length() - 2));
    }
    if (value.endsWith("gi")) {
      return Long.parseLong(value.substring(0, value.length() - 2)) * 1024;
    }
    throw new IOException("the chart's memory limit " + quantity + " is not in Mi or Gi");
  }
}
