package dev.flywheel.model.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.flywheel.model.bundle.Json;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Writes a command's one-line JSON result to stdout and to the termination log, which Kubernetes turns into the
 * container's termination message (at most 4096 bytes) for the operator to read without API access.
 */
public final class ResultLog {
  public static final Path DEFAULT_TERMINATION_LOG = Path.of("/dev/termination-log");
  static final int MAX_TERMINATION_MESSAGE = 4096;

  private ResultLog() {}

  /** The termination log to use: the given path, else /dev/termination-log when it exists, else none. */
  public static Path target(String option) {
    if (option != null) {
      return Path.of(option);
    }
    return Files.isWritable(DEFAULT_TERMINATION_LOG) ? DEFAULT_TERMINATION_LOG : null;
  }

  public static void write(ObjectNode result, Path terminationLog, PrintStream out) throws IOException {
    String line = Json.MAPPER.writeValueAsString(result);
    out.println(line);
    out.flush();
    if (terminationLog != null) {
      Files.writeString(terminationLog, fitted(result, line), StandardCharsets.UTF_8);
    }
  }

  /** The result, shortened to fit a termination message: long lists go first, then the reason is cut. */
  static String fitted(ObjectNode result, String line) throws IOException {
    if (line.getBytes(StandardCharsets.UTF_8).length <= MAX_TERMINATION_MESSAGE) {
      return line;
    }
    ObjectNode shorter = result.deepCopy();
    shorter.remove("classes");
    shorter.remove("features");
    shorter.put("truncated", true);
    if (shorter.has("reason")) {
      String reason = shorter.get("reason").asText();
      shorter.put("reason", reason.substring(0, Math.min(reason.length(), 2000)));
    }
    String text = Json.MAPPER.writeValueAsString(shorter);
    return text.getBytes(StandardCharsets.UTF_8).length <= MAX_TERMINATION_MESSAGE ? text : "{\"status\":\"" + result.path("status").asText() + "\",\"truncated\":true}";
  }
}
