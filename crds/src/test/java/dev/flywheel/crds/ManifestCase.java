package dev.flywheel.crds;

import com.fasterxml.jackson.databind.JsonNode;
import dev.flywheel.crds.validation.ManifestValidator;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** A test manifest and what its header says the API server must answer: "# expect: field" and "# message: text". */
record ManifestCase(Path file, String expectedField, String expectedMessage, List<JsonNode> documents) {
  static Stream<ManifestCase> in(String folder) {
    try (Stream<Path> files = Files.list(Path.of("src/test/resources", folder))) {
      return files.filter(f -> f.toString().endsWith(".yaml")).sorted().map(ManifestCase::read).toList().stream();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static ManifestCase read(Path file) {
    try {
      List<String> lines = Files.readAllLines(file);
      return new ManifestCase(file, header(lines, "expect"), header(lines, "message"), ManifestValidator.readAll(file));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String header(List<String> lines, String key) {
    return lines.stream()
        .filter(l -> l.startsWith("# " + key + ": "))
        .map(l -> l.substring(key.length() + 4).trim())
        .findFirst()
        .orElseThrow(() -> new IllegalArgumentException("missing '# " + key + ":' header"));
  }

  @Override
  public String toString() {
    return file.getFileName().toString();
  }
}
